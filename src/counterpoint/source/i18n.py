"""UI strings for ``en`` and ``ru``, dates and plural forms through Babel.

A site overrides any string with ``strings:`` in site.yml.  A plural string is
given per CLDR category with a ``.one``/``.few``/``.many``/``.other`` suffix
(``reading_time.other: "{n} min"``), or without a suffix for every count
(``reading_time: "{n} min"``).  Once a site overrides a plural string, its own
forms are used (a missing category falls back to its ``.other``, then to the
unsuffixed key), so an override never mixes with the built-in wording.
``check_strings`` reports unknown keys and placeholders before anything renders.

One module: most of its length is the two languages' strings, side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property, lru_cache
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, get_date_format, parse_pattern

from counterpoint.source.frontmatter import Stamp, did_you_mean

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "reading_time.one": "{n} min read",
        "reading_time.other": "{n} min read",
        "critiques.one": "{n} critique",
        "critiques.other": "{n} critiques",
        "open_critiques.one": "{n} open",
        "open_critiques.other": "{n} open",
        "upds.one": "{n} UPD",
        "upds.other": "{n} UPDs",
        "remarks.one": "{n} remark",
        "remarks.other": "{n} remarks",
        "difficulty": "Difficulty",
        "difficulty.easy": "Easy",
        "difficulty.medium": "Medium",
        "difficulty.hard": "Hard",
        "stance.refutes": "refutes",
        "stance.disputes": "disputes",
        "stance.supports": "supports",
        "stance.questions": "questions",
        "stance.notes": "notes",
        "status.open": "open",
        "status.addressed": "addressed",
        "status.declined": "declined",
        "addressed_in": "addressed in UPD of {date}",
        "answered_before": "written before UPD of {date}",
        "corrected_in": "corrected in UPD of {date}",
        "critiques_heading": "Critiques",
        "no_critiques": "No critiques yet.",
        "ledger_heading": "Claims and their critiques",
        "claim": "Claim",
        "status": "Status",
        "claim.corrected": "corrected",
        "claim.disputed": "disputed",
        "claim.supported": "supported",
        "claim.unchallenged": "no remarks",
        "claim.addressed": "addressed",
        "claim.declined": "declined",
        "claim.disputed_open": "disputed (open)",
        "remark_status.open": "open",
        "remark_status.declined": "declined",
        "remark_status.addressed": "addressed in UPD of {date}",
        "author_reply": "the author replies",
        "earlier_text": "quoted the earlier text",
        "corrects": "Corrects",
        "before": "before",
        "after": "after",
        "more": "more",
        "less": "less",
        "more_remarks.one": "{n} more remark",
        "more_remarks.other": "{n} more remarks",
        "new_since_visit.one": "{n} new since your visit",
        "new_since_visit.other": "{n} new since your visit",
        "whole_critique": "whole critique",
        "to_claim": "to the claim",
        "source": "originally posted here",
        "by_author": "author",
        "reply": "reply",
        "pinned": "pinned",
        "upd": "UPD",
        "re": "in reply to",
        "updated": "Updated",
        "published": "Published",
        "tags": "Tags",
        "all_tags": "All tags",
        "tagged": "Essays tagged “{tag}”",
        "tag_feed": "Feed of essays tagged “{tag}”",
        "scheduled": "Scheduled: not published until this date",
        "corrections": "Corrections",
        "corrections_intro": "Every correction made to an essay on this site, newest first.",
        "no_corrections": "No corrections yet.",
        "essays": "Essays",
        "newer": "Newer",
        "older": "Older",
        "page_of": "Page {n} of {total}",
        "search": "Search",
        "search_placeholder": "Search essays and critiques",
        "search_many_results": "[COUNT] results for [SEARCH_TERM]",  # Pagefind's wording, its own placeholders
        "not_found": "Page not found",
        "not_found_text": "There is nothing at this address. Try the list of essays or the search.",
        "feed": "Feed",
        "corrections_feed": "Corrections feed",
        "show_remarks": "Show remarks",
        "toc": "Contents",
        "new": "new",
        "skip": "Skip to content",
        "home": "Home",
        "remark_on": "Remark on",
        "footnote_back": "Back to the text: note {n}",
        "essay_corrections_feed": "Corrections to this essay",
        "annotations_json": "Annotations (JSON)",
        "search_unavailable": "The search index has not been built for this copy of the site.",
        "critique_passage": "Critique this passage",
        "critique_claim": "Critique this claim",
        "critique_heading": "Your critique",
        "critique_help": "Write your critique inside the remark; a signed name and links are welcome. Nothing is sent until you choose where to send it.",
        "critique_github": "Open a GitHub issue",
        "critique_email": "Send by e-mail",
        "critique_copy": "Copy as Markdown",
        "critique_copied": "Copied.",
        "critique_copy_failed": "Select the text above and copy it.",
        "critique_too_long": "The text is too long for a link: it was copied, paste it into the message.",
        "critique_close": "Close",
        "critique_subject": "Critique",
        "search_noscript": "Search needs JavaScript; every essay is listed on the home page and by tag.",
    },
    "ru": {
        "reading_time.one": "{n} минута",
        "reading_time.few": "{n} минуты",
        "reading_time.many": "{n} минут",
        "reading_time.other": "{n} минуты",
        "critiques.one": "{n} отзыв",
        "critiques.few": "{n} отзыва",
        "critiques.many": "{n} отзывов",
        "critiques.other": "{n} отзыва",
        "open_critiques.one": "{n} открытый",
        "open_critiques.few": "{n} открытых",
        "open_critiques.many": "{n} открытых",
        "open_critiques.other": "{n} открытых",
        "upds.one": "{n} UPD",
        "upds.other": "{n} UPD",
        "remarks.one": "{n} замечание",
        "remarks.few": "{n} замечания",
        "remarks.many": "{n} замечаний",
        "remarks.other": "{n} замечания",
        "difficulty": "Уровень сложности",
        "difficulty.easy": "Простой",
        "difficulty.medium": "Средний",
        "difficulty.hard": "Сложный",
        "stance.refutes": "опровергает",
        "stance.disputes": "оспаривает",
        "stance.supports": "поддерживает",
        "stance.questions": "спрашивает",
        "stance.notes": "замечает",
        "status.open": "открыта",
        "status.addressed": "учтена",
        "status.declined": "отклонена",
        "addressed_in": "учтена в UPD от {date}",
        "answered_before": "написано до UPD от {date}",
        "corrected_in": "исправлено в UPD от {date}",
        "critiques_heading": "Критика",
        "no_critiques": "Критики пока нет.",
        "ledger_heading": "Утверждения и критика",
        "claim": "Утверждение",
        "status": "Статус",
        "claim.corrected": "исправлено",
        "claim.disputed": "оспорено",
        "claim.supported": "поддержано",
        "claim.unchallenged": "без замечаний",
        "claim.addressed": "учтено",
        "claim.declined": "отклонено",
        "claim.disputed_open": "оспорено (открыто)",
        "remark_status.open": "открыто",
        "remark_status.declined": "отклонено",
        "remark_status.addressed": "учтено в UPD от {date}",  # замечание: neuter, as the two above
        "author_reply": "ответ автора",
        "earlier_text": "цитата прежнего текста",
        "corrects": "Исправляет",
        "before": "было",
        "after": "стало",
        "more": "ещё",
        "less": "свернуть",
        "more_remarks.one": "ещё {n} замечание",
        "more_remarks.few": "ещё {n} замечания",
        "more_remarks.many": "ещё {n} замечаний",
        "more_remarks.other": "ещё {n} замечания",
        "new_since_visit.one": "{n} новое с вашего визита",
        "new_since_visit.few": "{n} новых с вашего визита",
        "new_since_visit.many": "{n} новых с вашего визита",
        "new_since_visit.other": "{n} нового с вашего визита",
        "whole_critique": "вся критика",
        "to_claim": "к утверждению",
        "source": "исходная публикация",
        "by_author": "автор",
        "reply": "ответ",
        "pinned": "закреплено",
        "upd": "UPD",
        "re": "в ответ на критику:",  # a name cannot follow "на" undeclined
        "updated": "Обновлено",
        "published": "Опубликовано",
        "tags": "Теги",
        "all_tags": "Все теги",
        "tagged": "Эссе с тегом «{tag}»",
        "tag_feed": "Лента эссе с тегом «{tag}»",
        "scheduled": "Запланировано: не опубликовано до этой даты",
        "corrections": "Исправления",
        "corrections_intro": "Все исправления в эссе на этом сайте, новые сверху.",
        "no_corrections": "Исправлений пока нет.",
        "essays": "Эссе",
        "newer": "Новее",
        "older": "Старше",
        "page_of": "Страница {n} из {total}",
        "search": "Поиск",
        "search_placeholder": "Искать в эссе и критике",
        # Pagefind has one form for every count above one ("3 результатов"): a wording that needs none
        "search_many_results": "Результатов по запросу «[SEARCH_TERM]»: [COUNT]",
        "not_found": "Страница не найдена",
        "not_found_text": "По этому адресу ничего нет. Попробуйте список эссе или поиск.",
        "feed": "Лента",
        "corrections_feed": "Лента исправлений",
        "show_remarks": "Показать замечания",
        "toc": "Содержание",
        "new": "новое",
        "skip": "Перейти к тексту",
        "home": "Главная",
        "remark_on": "Замечание к утверждению",
        "footnote_back": "Назад к тексту: сноска {n}",
        "essay_corrections_feed": "Исправления этого эссе",
        "annotations_json": "Аннотации (JSON)",
        "search_unavailable": "Для этой копии сайта поисковый индекс не построен.",
        "critique_passage": "Возразить на этот фрагмент",
        "critique_claim": "Возразить на это утверждение",
        "critique_heading": "Ваше возражение",
        "critique_help": "Напишите возражение внутри блока замечания; подпись и ссылки приветствуются. Ничего не отправляется, пока вы не выберете, куда отправить.",
        "critique_github": "Открыть issue на GitHub",
        "critique_email": "Отправить письмом",
        "critique_copy": "Скопировать как Markdown",
        "critique_copied": "Скопировано.",
        "critique_copy_failed": "Выделите текст выше и скопируйте его.",
        "critique_too_long": "Текст слишком длинный для ссылки: он скопирован, вставьте его в сообщение.",
        "critique_close": "Закрыть",
        "critique_subject": "Возражение",
        "search_noscript": "Для поиска нужен JavaScript; все эссе есть на главной странице и на страницах тегов.",
    },
}

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@cache
def _locale(lang: str) -> Locale:
    """The Babel locale for ``lang`` ("ru", "en-GB"); its base language, else English."""
    code = lang.replace("-", "_")
    for candidate in (code, code.split("_")[0].lower(), "en"):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return Locale("en")


def known_language(lang: str) -> bool:
    """Babel knows ``lang`` (``ru``, ``en``, ``en-GB``, ``pt_BR``…)."""
    try:
        Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Translator:
    """Strings and formats for one language, with the site's overrides."""

    lang: str
    overrides: Mapping[str, str]

    def _table(self) -> dict[str, str]:
        return _strings_for(self.lang)

    @cached_property
    def _strings(self) -> dict[str, str]:
        """English under this language under the site's overrides: one lookup per
        string (templates ask for a few hundred per page)."""
        return {**STRINGS["en"], **self._table(), **self.overrides}

    def raw(self, key: str) -> str:
        return self._strings.get(key, key)

    def __call__(self, key: str, **values: object) -> str:
        text = self.raw(key)
        return text.format(**values) if values else text

    def speaks(self, key: str) -> bool:
        """The string is written in this language (built in, or the site's own), not English
        standing in for a language without strings: a script that has wording of its own
        for the language (Pagefind's) keeps it then."""
        table = self._table()
        return key in self.overrides or (key in table and (table is not STRINGS["en"] or _base(self.lang) == "en"))

    def plural(self, key: str, n: int) -> str:
        """``plural("reading_time", 21)`` -> "21 минута" (CLDR plural rules through Babel)."""
        return self.plural_form(key, _plural_category(self.lang, n)).format(n=n)

    def plural_forms(self, key: str) -> dict[str, str]:
        """Each CLDR category's unformatted string (``{n}`` left in), for a script that
        counts in the browser and picks the form with ``Intl.PluralRules``."""
        return {c: self.plural_form(key, c) for c in PLURAL_CATEGORIES}

    @cached_property
    def _overridden(self) -> frozenset[str]:
        """The keys the site overrides and every key before a dot in them (``reading_time``
        for ``reading_time.one``): a plural string the site gives in any form."""
        return frozenset(k[:at] for k in self.overrides for at, c in enumerate(k) if c == ".") | set(self.overrides)

    def plural_form(self, key: str, category: str) -> str:
        candidates = (f"{key}.{category}", f"{key}.other", key)
        if key in self._overridden:
            for candidate in candidates:
                if candidate in self.overrides:
                    return self.overrides[candidate]
        table = self._table()
        for candidate in candidates[:2]:
            if candidate in table:
                return table[candidate]
        return STRINGS["en"].get(f"{key}.other", key)

    def date(self, stamp: Stamp | None, fmt: str = "long") -> str:
        """The date as the author wrote it, in the reader's words."""
        if stamp is None:
            return ""
        return _format_date(stamp.date, fmt, self.lang)


def english_words(lang: str, overrides: Mapping[str, str]) -> tuple[int, int]:
    """How many of the interface's words stay English for a site in ``lang`` with
    ``overrides`` (its ``strings:``), of how many: all of them, in a language counterpoint
    has no words in, but for those the site gives."""
    if _base(lang) in STRINGS:
        return 0, len(STRINGS["en"])
    missing = [key for key in STRINGS["en"] if key not in overrides and _plural_base(key) not in overrides]
    return len(missing), len(STRINGS["en"])


def _plural_base(key: str) -> str:
    """``critiques.one`` -> ``critiques`` (a site may give one form for every number)."""
    base, _, category = key.rpartition(".")
    return base if base and category in PLURAL_CATEGORIES else key


@lru_cache(maxsize=64)
def direction(lang: str) -> str:
    """'rtl' for a language written right to left (Arabic, Hebrew, Persian…: CLDR's
    character order, through Babel), else 'ltr': the page's ``dir``."""
    return "rtl" if _locale(lang).character_order == "right-to-left" else "ltr"


@lru_cache(maxsize=64)
def _strings_for(lang: str) -> dict[str, str]:
    """The built-in strings of ``lang`` (``en-GB`` -> ``en``), English when there are none."""
    return STRINGS.get(_base(lang), STRINGS["en"])


def _base(lang: str) -> str:
    """``en-GB`` -> ``en``."""
    return lang.split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=1024)
def _plural_category(lang: str, n: int) -> str:
    """CLDR's plural category of ``n`` ("one", "few", "many"…): Babel evaluates the rule each time."""
    return _locale(lang).plural_form(n)


@lru_cache(maxsize=16384)
def _format_date(day: date, fmt: str, lang: str) -> str:
    # babel.dates.format_date, with the locale's pattern looked up and parsed once
    return date_pattern(fmt, lang).apply(day, _locale(lang))


DATE_STYLES = ("full", "long", "medium", "short")  # CLDR's, each made by ``prepare_dates``


def prepare_dates(languages: tuple[str, ...]) -> None:
    """Load the locale data and date formats of ``languages`` now (Babel reads them
    from disk on first use, some 15 ms per language)."""
    for lang in dict.fromkeys(languages):
        for style in DATE_STYLES:
            date_pattern(style, lang)


@lru_cache(maxsize=64)
def date_pattern(fmt: str, lang: str) -> DateTimePattern:
    """``fmt``: one of CLDR's styles (``long``…) or a pattern such as ``d MMM y``;
    made once per process (``date_pattern.cache_info()`` says how many are)."""
    style = fmt if fmt in DATE_STYLES else ""
    return parse_pattern(get_date_format(style, locale=_locale(lang)) if style else fmt)  # type: ignore[arg-type]  # a CLDR style


@lru_cache(maxsize=32)
def translator(lang: str, overrides: tuple[tuple[str, str], ...] = ()) -> Translator:
    return Translator(lang, dict(overrides))


def _fields(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(text) if name is not None}


def _not_plain(text: str) -> str:
    """The first placeholder of ``text`` that is more than ``{name}`` (a format spec
    such as ``{n:>99999999}`` pads a page with megabytes; ``{n.__class__}`` and
    ``{n[0]}`` reach into Python objects; ``{n!r}`` converts), or ''."""
    for _, name, spec, conversion in Formatter().parse(text):
        if name is not None and (spec or conversion or not name.isidentifier()):
            return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    return ""


def check_strings(overrides: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Problems in site.yml ``strings:``: (key, message, hint) for each unknown key,
    unknown plural category or placeholder the string cannot fill."""
    known = STRINGS["en"]
    plural_keys = {k.rsplit(".", 1)[0] for k in known if k.endswith(".other")}
    simple_keys = [k for k in known if not any(k.startswith(p + ".") for p in plural_keys)]
    problems: list[tuple[str, str, str]] = []
    for key, text in overrides.items():
        key = str(key)
        family, _, category = key.rpartition(".")
        if key in plural_keys:
            reference = known[f"{key}.other"]
        elif family in plural_keys and category:
            if category not in PLURAL_CATEGORIES:
                problems.append(
                    (
                        key,
                        f"strings: '{key}' has an unknown plural category '{category}'",
                        "use one of "
                        + ", ".join(f"{family}.{c}" for c in PLURAL_CATEGORIES)
                        + f", or plain '{family}'",
                    ),
                )
                continue
            reference = known[f"{family}.other"]
        elif key in known:
            reference = known[key]
        else:
            choices = simple_keys + sorted(plural_keys)
            hint = did_you_mean(key, choices) or "the keys are listed in the README (Blog features)"
            problems.append((key, f"strings: unknown string '{key}'", hint))
            continue
        try:
            used = _fields(str(text))
        except ValueError as exc:
            problems.append(
                (key, f"strings: '{key}' is not a valid template: {exc}", "write a literal brace as {{ or }}")
            )
            continue
        allowed = _fields(reference)
        names = ", ".join("{" + f + "}" for f in sorted(allowed)) or "no placeholders"
        fancy = _not_plain(str(text))
        if fancy:
            problems.append(
                (
                    key,
                    f"strings: '{key}' uses {fancy[:60]}: only plain placeholders such as {{n}} are allowed",
                    f"this string can use {names}, without a format or attribute; write a literal brace as {{{{ or }}}}",
                )
            )
            continue
        extra = sorted(used - allowed)
        if extra:
            problems.append(
                (key, f"strings: '{key}' uses unknown placeholder {{{extra[0]}}}", f"this string can use {names}")
            )
    return problems
