"""`Vocabs.export` / `Vocabs.restored`: the string tables and per-string caches of a store's snapshot."""

from __future__ import annotations

import numpy as np
import pytest

from engine.landscape.columns import FactTable, Vocabs, analyse_table

ROWS = [
    (
        1,
        2019,
        2021,
        "invention",
        "valid",
        ["H01M10/0525", "H01M4/36"],
        ["甲大学", "丁公司"],
        ["张三", "李四"],
        ["38"],
    ),
    (2, 2020, None, "utility", "pending", ["H01M10/056"], ["甲大学"], ["张三", " "], []),
    (3, None, None, "invention", "valid", ["G06F16/22"], [], ["王五", "李四"], ["65"]),
]


def test_restored_vocabs_give_the_same_ids_and_caches():
    vocabs = Vocabs()
    table = FactTable.from_rows(ROWS, vocabs)
    vocabs.warm()
    strings, caches = vocabs.export()
    again = Vocabs.restored(strings, caches)
    for name, values in strings.items():
        assert getattr(again, name).strings == values and len(values)
        assert [getattr(again, name).find(s) for s in values] == list(range(len(values)))
    assert np.array_equal(again.code_groups(), vocabs.code_groups())
    ids = np.arange(len(vocabs.inventors))
    assert np.array_equal(again.inventor_persons(ids), vocabs.inventor_persons(ids))
    assert again.inventor_persons(ids).min() == -1  # the blank inventor
    copy = FactTable(**{**table.__dict__, "vocabs": again})
    assert analyse_table(copy) == analyse_table(table)


def test_restored_refuses_caches_that_do_not_fit():
    vocabs = Vocabs()
    FactTable.from_rows(ROWS, vocabs)
    vocabs.warm()
    strings, caches = vocabs.export()
    with pytest.raises(ValueError, match="points outside"):
        Vocabs.restored(strings, {**caches, "_code_group": caches["_code_group"] + len(vocabs.groups)})
    with pytest.raises(ValueError, match="does not fit"):
        Vocabs.restored(strings, {**caches, "_holder_kind": np.zeros(len(vocabs.holders) + 1, np.int32)})
    with pytest.raises(ValueError, match="repeats"):
        Vocabs.restored({**strings, "codes": [*strings["codes"], strings["codes"][0]]}, caches)
