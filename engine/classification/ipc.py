"""IPC code parsing: every common spelling to one canonical code.

`G06N 3/08`, `G06N3/08`, `G06N0003080000`, `ｇ０６ｎ３／０８` -> "G06N3/08". Also section ("G"), class ("G06"),
subclass ("G06F") and main group ("G06F16/00"). Invalid codes raise IpcError: reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_FULL = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")  # H04L0009320000
_GROUP = re.compile(r"^([A-H])(\d{2})([A-Z])0*(\d{1,4})/(\d{1,6})$")
_SUBCLASS = re.compile(r"^([A-H])(\d{2})([A-Z])$")
_CLASS = re.compile(r"^([A-H])(\d{2})$")
_SECTION = re.compile(r"^([A-H])$")
# Edition suffixes seen in exports: "G06F16/00(2019.01)", "G06F 16/00 [2006.01]".
_EDITION = re.compile(r"[\(\[]\d{4}\.\d{2}[\)\]]$")


@dataclass
class IpcError(ValueError):
    code: str
    message_zh: str
    message_en: str
    value: str = ""


@dataclass(frozen=True)
class IpcCode:
    code: str
    level: str  # section | class | subclass | main_group | subgroup

    @property
    def section(self) -> str:
        return self.code[0]

    @property
    def ipc_class(self) -> str | None:
        return self.code[:3] if len(self.code) >= 3 else None

    @property
    def subclass(self) -> str | None:
        return self.code[:4] if len(self.code) >= 4 else None

    @property
    def main_group(self) -> str | None:
        if "/" not in self.code:
            return None
        return self.code.split("/")[0] + "/00"


def _subgroup_digits(raw: str) -> str:
    digits = raw.rstrip("0")
    return digits.ljust(2, "0")


def parse_ipc(raw: str) -> IpcCode:
    text = unicodedata.normalize("NFKC", raw or "").strip().upper()
    text = _EDITION.sub("", text).strip()
    text = _SPACES.sub("", text).replace("／", "/")
    if not text:
        raise IpcError("ipc_empty", "IPC 分类号为空", "IPC code is empty", raw)
    if m := _FULL.match(text):
        group = str(int(m.group(4)))
        if group == "0":
            raise IpcError("ipc_format", f"IPC 分类号格式不正确：{raw}", f"malformed IPC code: {raw}", raw)
        code = f"{m.group(1)}{m.group(2)}{m.group(3)}{group}/{_subgroup_digits(m.group(5))}"
    elif m := _GROUP.match(text):
        if int(m.group(4)) == 0:
            raise IpcError("ipc_format", f"IPC 分类号格式不正确：{raw}", f"malformed IPC code: {raw}", raw)
        code = f"{m.group(1)}{m.group(2)}{m.group(3)}{int(m.group(4))}/{_subgroup_digits(m.group(5))}"
    elif _SUBCLASS.match(text):
        return IpcCode(text, "subclass")
    elif _CLASS.match(text):
        return IpcCode(text, "class")
    elif _SECTION.match(text):
        return IpcCode(text, "section")
    else:
        raise IpcError("ipc_format", f"IPC 分类号格式不正确：{raw}", f"malformed IPC code: {raw}", raw)
    level = "main_group" if code.endswith("/00") else "subgroup"
    return IpcCode(code, level)


def normalise_ipc(raw: str) -> str:
    return parse_ipc(raw).code


def split_ipc_list(raw: str) -> list[str]:
    """Split a cell holding several codes ("G06F16/00;G06N3/08", "|", "、", ",", newlines) into raw parts."""
    parts = re.split(r"[;；,，|、\n]+", raw or "")
    return [p.strip() for p in parts if p.strip()]


def display_ipc(code: str) -> str:
    """Canonical -> the printed form with a space: "G06N3/08" -> "G06N 3/08"."""
    if "/" in code:
        return f"{code[:4]} {code[4:]}"
    return code
