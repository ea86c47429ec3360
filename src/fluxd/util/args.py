"""C++-style command-line options (util.cpp ParseParameters, GetArg, GetBoolArg).

``-name=value`` and ``-name``; ``--name`` means ``-name``; parsing stops at the
first argument that does not start with '-'; ``-nofoo`` means ``-foo=0`` unless
``-foo`` is also given.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def atoi(text: str) -> int:
    """C atoi: optional sign and leading digits, 0 when there are none."""
    text = text.lstrip(" \t\n\v\f\r")
    sign = 1
    if text[:1] in "+-" and text:
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    digits = ""
    for char in text:
        if not char.isdigit() or not char.isascii():
            break
        digits += char
    return sign * int(digits) if digits else 0


def interpret_bool(value: str) -> bool:
    return True if value == "" else atoi(value) != 0


@dataclass
class Args:
    values: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
    rest: list[str] = field(default_factory=list)  # arguments after the options

    def is_set(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def get_int(self, name: str, default: int) -> int:
        return atoi(self.values[name]) if name in self.values else default

    def get_bool(self, name: str, default: bool = False) -> bool:
        return interpret_bool(self.values[name]) if name in self.values else default

    def get_all(self, name: str) -> list[str]:
        return list(self.multi.get(name, []))

    def soft_set(self, name: str, value: str) -> bool:
        """SoftSetArg: set only when not given."""
        if name in self.values:
            return False
        self.values[name] = value
        self.multi.setdefault(name, []).append(value)
        return True


def parse_parameters(argv: list[str]) -> Args:
    """ParseParameters over argv (without the program name)."""
    args = Args()
    for index, raw in enumerate(argv):
        name, _, value = raw.partition("=")
        if not name.startswith("-"):
            args.rest = list(argv[index:])
            break
        if len(name) > 1 and name[1] == "-":
            name = name[1:]
        args.values[name] = value
        args.multi.setdefault(name, []).append(value)
    for name in list(args.values):
        interpret_negative(args, name)
    return args


def interpret_negative(args: Args, name: str) -> None:
    """InterpretNegativeSetting: -nofoo sets -foo to the opposite, unless -foo is set."""
    if name.startswith("-no") and len(name) > 3:
        positive = "-" + name[3:]
        if positive not in args.values:
            args.values[positive] = "0" if interpret_bool(args.values[name]) else "1"
            args.multi.setdefault(positive, []).append(args.values[positive])
