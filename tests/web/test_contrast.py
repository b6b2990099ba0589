"""Every text colour the styles use passes WCAG AA contrast on its background, in both themes."""

from __future__ import annotations

import re

import pytest

from deepdive.web.assets import STATIC_DIR

_PAIR = re.compile(r"(--[\w-]+): light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\);")
CODE_TOKENS = [
    "--code-fg",
    "--code-keyword",
    "--code-string",
    "--code-number",
    "--code-comment",
    "--code-function",
    "--code-class",
    "--code-decorator",
    "--code-property",
    "--code-builtin",
]
# (text, background, minimum ratio): 4.5 for text, 3 for the focus ring (a non-text indicator).
PAIRS = [
    ("--fg", "--bg", 4.5),
    ("--fg", "--surface", 4.5),
    ("--fg", "--surface-2", 4.5),
    ("--fg", "--tip-bg", 4.5),
    ("--fg", "--warning-bg", 4.5),
    ("--fg", "--danger-bg", 4.5),
    ("--fg", "--success-bg", 4.5),
    ("--muted", "--bg", 4.5),
    ("--muted", "--surface", 4.5),
    ("--accent", "--bg", 4.5),
    ("--accent", "--surface", 4.5),
    ("--accent-fg", "--accent", 4.5),
    ("--success", "--bg", 4.5),
    ("--success", "--success-bg", 4.5),
    ("--success", "--surface", 4.5),
    ("--danger", "--bg", 4.5),
    ("--danger", "--danger-bg", 4.5),
    ("--danger", "--surface", 4.5),
    ("--warning", "--warning-bg", 4.5),
    ("--code-gutter-fg", "--code-gutter-bg", 4.5),
    ("--focus", "--bg", 3.0),
    ("--focus", "--surface", 3.0),
    *[(token, "--code-bg", 4.5) for token in CODE_TOKENS],
    *[(token, "--code-highlight", 4.5) for token in CODE_TOKENS],
    *[(token, "--code-active-line", 4.5) for token in CODE_TOKENS],
]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


THEMES = {
    name: {var: pair[i] for var, *pair in _PAIR.findall((STATIC_DIR / "css/theme.css").read_text())}
    for i, name in enumerate(["light", "dark"])
}


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background", "minimum"), PAIRS)
def test_pair_meets_wcag_aa(theme, text, background, minimum):
    colours = THEMES[theme]
    ratio = contrast(colours[text], colours[background])
    assert ratio >= minimum, f"{theme}: {text} on {background} is {ratio:.2f}:1"
