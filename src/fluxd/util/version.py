"""The client version as C++ fluxd reports it (clientversion.cpp FormatVersion / FormatSubVersion)."""

from __future__ import annotations

CLIENT_NAME = "MagicBean"
CLIENT_VERSION = 9_010_050  # what mainnet daemons report (9.1.0-50); FluxOS compares this number


def format_version(version: int) -> str:
    major, minor, revision, build = version // 1_000_000, version // 10_000 % 100, version // 100 % 100, version % 100
    if build < 25:
        return f"{major}.{minor}.{revision}-beta{build + 1}"
    if build < 50:
        return f"{major}.{minor}.{revision}-rc{build - 24}"
    if build == 50:
        return f"{major}.{minor}.{revision}"
    return f"{major}.{minor}.{revision}-{build - 50}"


def format_sub_version(comments: list[str] | None = None, name: str = CLIENT_NAME, version: int = CLIENT_VERSION) -> str:
    """BIP 14 user agent: /MagicBean:9.1.0(comment; comment)/."""
    text = f"/{name}:{format_version(version)}"
    if comments:
        text += "(" + "; ".join(comments) + ")"
    return text + "/"

# C++ deprecation.h: shut down 104 weeks of blocks after the estimated release height
APPROX_RELEASE_HEIGHT = 2_127_000
WEEKS_UNTIL_DEPRECATION = 104
DEPRECATION_HEIGHT = APPROX_RELEASE_HEIGHT + WEEKS_UNTIL_DEPRECATION * 7 * 24 * 120
