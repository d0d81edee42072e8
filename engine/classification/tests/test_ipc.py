import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.classification.ipc import IpcError, normalise_ipc, parse_ipc

subclasses = st.builds(
    lambda s, c, x: f"{s}{c:02d}{x}",
    st.sampled_from("ABCDEFGH"),
    st.integers(min_value=1, max_value=99),
    st.sampled_from("ABCDEFGHJKLMNPQ"),
)


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@given(
    subclasses,
    st.integers(min_value=1, max_value=9999),
    st.text(alphabet="0123456789", min_size=1, max_size=4).filter(lambda d: d.strip("0") != ""),
)
def test_every_spelling_normalises_to_one_code(sub: str, group: int, digits: str) -> None:
    canonical = normalise_ipc(f"{sub}{group}/{digits}")
    sub_digits = canonical.partition("/")[2]
    spellings = [
        f"{sub} {group}/{digits}",
        f"{sub}{group}/{digits}",
        f"{sub}{group:04d}{sub_digits.ljust(6, '0')}",
        _full_width(f"{sub}{group}/{digits}"),
        f"{sub}{group}/{digits}".lower(),
        f"{sub} {group}/{digits} (2006.01)",
        f"  {sub}  {group:03d}/{digits}  ",
    ]
    for s in spellings:
        assert normalise_ipc(s) == canonical, s
    assert parse_ipc(canonical).level == ("main_group" if sub_digits == "00" else "subgroup")


def test_examples() -> None:
    for raw in ["G06N 3/08", "G06N3/08", "G06N0003080000", "ｇ０６ｎ３／０８", "g06n 3/08"]:
        assert normalise_ipc(raw) == "G06N3/08"
    assert normalise_ipc("G06F 16/00") == "G06F16/00"
    assert parse_ipc("H01L").level == "subclass"


@pytest.mark.parametrize("raw", ["", "Z01B1/00", "G06N", "G6N3/08", "G06N3", "G06N0/08", "G06N3/08x", "中文"])
def test_invalid_codes_are_reported_not_guessed(raw: str) -> None:
    if raw == "G06N":
        assert parse_ipc(raw).code == "G06N"
        return
    with pytest.raises(IpcError) as err:
        parse_ipc(raw)
    assert err.value.message_zh and err.value.message_en
