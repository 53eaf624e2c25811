"""Every text label of the figures and the report, in English and Chinese, and the CJK font check.

One table, :data:`sim.report.labels.TEXT`, maps a key to its English and Chinese text; :func:`t` looks a key
up and fills its ``{placeholders}``. Figures and reports call nothing else for their words,
so a label added in one language only fails a test rather than showing up untranslated.

Chinese needs a CJK font that matplotlib can use (Debian: ``fonts-noto-cjk``, which provides
"Noto Sans CJK SC"). :func:`resolve_lang` returns ``"en"`` with one warning when it is missing,
so a machine without the font writes an English report instead of one full of empty boxes.
Strategy names are the user's own words and are never translated.
"""

from __future__ import annotations

import functools
import math
import re
import warnings

from sim.report.labels import TEXT

LANGS: tuple[str, ...] = ("en", "zh")
CJK_FONT_PACKAGE = "fonts-noto-cjk"
PREFERRED_CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
)
_CJK_FILE = re.compile(r"(NotoSansCJK|NotoSansSC|SourceHanSans|wqy-zenhei|wqy-microhei)", re.IGNORECASE)
CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def t(key: str, lang: str = "en", **values: object) -> str:
    """The text of ``key`` in ``lang`` with its placeholders filled."""
    try:
        en, zh = TEXT[key]
    except KeyError:
        raise KeyError(f"no text for {key!r} in sim.report.i18n.TEXT") from None
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def metric_name(metric: str, lang: str = "en", months: int = 12) -> str:
    """A metric's display name; ``months``: the run's LTV window, for the names that say it without carrying it
    (``incremental_ltv``)."""
    return t(f"metric.{metric}", lang, months=months)


def unit_name(unit: str, lang: str = "en") -> str:
    """A metric unit's display name."""
    return t(f"unit.{unit}", lang)


def option_value(text: str, lang: str = "en") -> str:
    """An option value of the strategies table (hook type, card design, offer, on/off) in ``lang``; numbers and
    names without a translation are shown as they are."""
    key = f"value.{text}"
    return t(key, lang) if key in TEXT else text


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds at least one CJK character."""
    return CJK_CHAR.search(text) is not None


# ---------------------------------------------------------------- numbers


def _missing(lang: str) -> str:
    return t("report.missing", lang)


def pct(value: float, lang: str = "en", digits: int | None = None) -> str:
    """A share as a percentage with sensible precision: 0.0396 -> '3.96%', 0.287 -> '28.7%'."""
    if value is None or not math.isfinite(value):
        return _missing(lang)
    p = 100.0 * value
    if digits is None:
        digits = 0 if abs(p) >= 99.95 or p == 0 else 1 if abs(p) >= 1 else 2 if abs(p) >= 0.1 else 3
    return f"{p:.{digits}f}%"


def money(value: float, lang: str = "en") -> str:
    """An amount in CNY: 'CNY 1,234' in English; '1,234 元', or '123.4 万元' from ten thousand up, in Chinese."""
    if value is None or not math.isfinite(value):
        return _missing(lang)
    if lang == "zh" and abs(value) >= 1e4:
        return f"{value / 1e4:,.1f} 万元"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    number = f"{value:,.{digits}f}"
    return f"{number} 元" if lang == "zh" else f"CNY {number}"


def number(value: float, lang: str = "en") -> str:
    """A plain number with 3 significant digits (thousands separated), or 'missing'."""
    if value is None or not math.isfinite(value):
        return _missing(lang)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if value == 0 or abs(value) >= 0.001:
        return f"{value:.3g}"
    return f"{value:.1e}"


def count(value: float, lang: str = "en") -> str:
    """A count (a mean over replications of people, messages or accounts), to the unit: '1,234', or 'missing'."""
    if value is None or not math.isfinite(value):
        return _missing(lang)
    return f"{value:,.0f}"


def metric_value(metric: str, unit: str, value: float, lang: str = "en") -> str:
    """A metric value formatted by its unit; a payback day that never came is 'never paid back'."""
    if metric == "payback_day" and (value is None or not math.isfinite(value)):
        return t("report.not_paid_back", lang)
    if unit.startswith("share"):
        return pct(value, lang)
    if unit.startswith("CNY"):
        return money(value, lang)
    if unit == "ratio":
        return number(value, lang)
    return number(value, lang)


# ---------------------------------------------------------------- font


@functools.cache
def cjk_font() -> str | None:
    """The name of a CJK font matplotlib can use, or None.

    Looks in matplotlib's font list, then (because that list is cached and may predate
    installing the font) among the system's font files, adding a CJK one it finds.
    """
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        for name in PREFERRED_CJK_FONTS:
            if name in names:
                return name
        return None

    found = known()
    if found is not None:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if _CJK_FILE.search(path):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return known()


_warned: set[str] = set()


def resolve_lang(lang: str) -> str:
    """The language to write in: ``lang``, or ``"en"`` (warning once) when ``zh`` lacks a CJK font."""
    lang = getattr(lang, "value", lang)
    if lang not in LANGS:
        raise ValueError(f"report.lang={lang!r}: allowed: {', '.join(LANGS)}")
    if lang == "zh" and cjk_font() is None:
        if "zh" not in _warned:
            _warned.add("zh")
            warnings.warn(t("report.lang_fallback", "en"), UserWarning, stacklevel=2)
        return "en"
    return str(lang)
