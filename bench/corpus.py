"""Deterministic generator of a counterpoint benchmark site.

    python bench/corpus.py DIR N [--seed S]

writes a complete site into DIR: ``site.yml`` and N essay bundles
``content/essays/<slug>/index.md``, each with three critiques in
``content/essays/<slug>/critiques/<cid>.md``.  Half of the essays are Russian (even
indices), half English (odd indices), each about 1,500 words, using every feature of the
content format in DESIGN.md §1–§4: front matter, ``##``/``###`` headings (some with explicit
``{#id}``), paragraphs with inline formatting, bullet and numbered lists, a fenced code block,
a GFM table, an occasional footnote, 4–8 inline claims ``[text]{.claim #claim-K}``, one or two
block claims ``{.claim #block-K}``, and one or two ``::: upd`` blocks that cite existing
critiques.  Critiques carry ``::: on #id`` remarks, at least one ``::: on "quoted text"``
remark (the quoted clause contains a generated proper noun and occurs exactly once in the
essay), and a reply by the site author.

Determinism: every essay is drawn from its own ``random.Random(seed * 1_000_003 + index)``
(integer seeding only: no time, no ``hash()``), so the output is byte-identical across runs
and processes, and the first N essays of a larger corpus are identical to a corpus of N.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import random
import sys
import time
from pathlib import Path

SITE_AUTHOR = "Автор Бенчмарка"

# ---------------------------------------------------------------------------------------------
# Word pools: real words only (letters, no Markdown syntax characters).  Function words are
# repeated in the pools so that they occur about as often as in real prose.

_EN_CONTENT = """
system model data result method analysis question answer problem solution example reason
theory practice history science research evidence argument claim source number measure
process change growth market price cost value energy power network signal memory language
structure pattern design language program function variable table column record query index
server client request response error failure test review paper study experiment sample
author reader editor writer article essay chapter section paragraph sentence word letter
idea concept principle rule law policy decision choice risk benefit impact effect cause
difference similarity comparison trend period decade century year month week moment
people team group community company industry government country city region world
student teacher engineer scientist historian economist designer developer manager
early late recent modern ancient simple complex clear vague strong weak large small
important useful careful precise rough quick slow cheap expensive common rare public
private open closed correct wrong true false likely unlikely possible necessary
build measure compare explain describe argue suggest propose assume prove show find
write read check test review correct improve reduce increase replace remove support
follow lead change move keep start finish begin continue return remain become seem
quickly slowly clearly often rarely usually almost nearly mostly simply really only
still already never always sometimes perhaps probably certainly indeed however
therefore meanwhile instead otherwise although because while since unless until
account approach aspect balance budget capacity channel circuit climate content context
contract culture current default detail device domain draft engine estimate factor feature
figure format frame graph habit layer level limit link machine margin matter metric
mistake module motion object option order output outcome pace path phase picture platform
point pressure profile project quality range rate ratio reality region report resource
role routine scale scope screen series shape signal skill space speed stage standard
state step story strategy stream surface target task term thread tool topic track trade
unit update version view volume weight window workflow
"""
_EN_FUNCTION = """
the the the the the a a a an of of of of to to to in in in and and and is is are was
were be been that that this it it for for on on with with as as by at from or not but
we we they you its their our more most some many much any each other such than then
"""

_RU_CONTENT = """
система модель данные результат метод анализ вопрос ответ задача решение пример причина
теория практика история наука исследование довод утверждение источник число мера
процесс изменение рост рынок цена стоимость энергия сеть сигнал память язык структура
образец проект программа функция переменная таблица столбец запись запрос индекс сервер
клиент ошибка сбой проверка обзор статья работа опыт выборка автор читатель редактор
глава раздел абзац предложение слово буква идея понятие принцип правило закон решение
выбор риск польза влияние следствие разница сходство сравнение тенденция период
десятилетие век год месяц неделя момент люди команда группа сообщество компания
отрасль государство страна город область мир студент учитель инженер учёный историк
экономист разработчик руководитель ранний поздний недавний современный древний простой
сложный ясный смутный сильный слабый большой малый важный полезный точный грубый
быстрый медленный дешёвый дорогой общий редкий открытый закрытый верный неверный
возможный необходимый строить измерять сравнивать объяснять описывать спорить предлагать
предполагать доказывать показывать находить писать читать проверять исправлять улучшать
уменьшать увеличивать заменять удалять поддерживать следовать менять начинать заканчивать
продолжать оставаться становиться казаться быстро медленно ясно часто редко обычно почти
просто действительно только ещё уже никогда всегда иногда возможно вероятно конечно
однако поэтому тем временем вместо иначе хотя потому пока поскольку если когда
подход аспект баланс бюджет ёмкость канал климат содержание контекст договор культура
подробность устройство область черновик двигатель оценка фактор признак формат рамка
график привычка уровень предел ссылка машина поле предмет вариант порядок вывод итог
темп путь фаза картина платформа точка давление профиль качество диапазон скорость
отношение реальность отчёт ресурс роль масштаб экран серия форма навык пространство
стадия стандарт состояние шаг рассказ стратегия поток поверхность цель инструмент тема
след обмен единица версия вид объём вес окно знание мнение вычисление библиотека
компилятор алгоритм граница случай закономерность наблюдение эксперимент гипотеза вывод
ошибочный надёжный устойчивый заметный очевидный спорный новый старый главный лишний
проверенный известный открытие событие перемена улучшение замедление ускорение нагрузка
очередь задержка сборка страница заметка поправка критика замечание возражение довод
считать строить искать понимать помнить забывать менять терять получать давать брать
"""
_RU_FUNCTION = """
и и и и в в в в на на на не не не что что что с с с как как по по к к из из за
это это его её их они мы мы вы для для но но от от до до же бы или при уже так так
"""

EN_WORDS = _EN_CONTENT.split()
RU_WORDS = _RU_CONTENT.split()
EN_POOL = EN_WORDS + _EN_FUNCTION.split()
RU_POOL = RU_WORDS + _RU_FUNCTION.split()

# Syllables for generated proper nouns (the unique words inside quoted remark targets).
_EN_SYL = "kor val mer tin dra sel bro quin zan tho rel vash nim gor pel fyn lux dor mak ter".split()
_RU_SYL = "кор вал мер тин дра сел бро зан тор рел ваш ним гор пел фин люк дор мак тер лис".split()

TAG_POOL = [
    "python",
    "javascript",
    "rust",
    "performance",
    "databases",
    "security",
    "history",
    "science",
    "economics",
    "design",
    "testing",
    "networks",
    "compilers",
    "statistics",
    "open-source",
    "физика",
    "история",
    "экономика",
    "машинное-обучение",
    "базы-данных",
    "производительность",
    "безопасность",
    "наука",
    "образование",
    "математика",
    "язык",
    "сети",
    "эссе",
    "архитектура",
    "климат",
]

CRITIQUE_IDS = [
    "factual-errors",
    "missing-context",
    "methodology",
    "wrong-numbers",
    "history-check",
    "counterexample",
    "sources-please",
    "terminology",
    "overgeneralization",
    "great-summary",
    "minor-nits",
    "alternative-view",
    "outdated-data",
    "logic-gap",
    "translation-notes",
]
READERS = [
    "dmitry_k",
    "anna.v",
    "sergey_p",
    "olga_m",
    "ivan-ivanov",
    "maria_s",
    "alex_dev",
    "jkowalski",
    "mchen",
    "priya_r",
    "tom_h",
    "lena_b",
    "pavel_z",
    "kate_w",
    "nikita_g",
]
STANCES = ["refutes", "disputes", "supports", "questions", "notes"]
DIFFICULTIES = ["easy", "medium", "hard"]
IDENTS = [
    "items",
    "total",
    "count",
    "value",
    "result",
    "record",
    "limit",
    "offset",
    "size",
    "weight",
    "score",
    "delta",
    "cache",
    "index",
    "buffer",
    "parser",
    "node",
    "edge",
]

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
    )
)

_EPOCH = _dt.date(2020, 1, 1)
_DATE_SPAN = (_dt.date(2026, 3, 31) - _EPOCH).days

_L10N = {
    "ru": {
        "table": ("Показатель", "До", "После"),
        "comment": "# пример",
    },
    "en": {
        "table": ("Metric", "Before", "After"),
        "comment": "# example",
    },
}


def _translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


class _Essay:
    """Generates one essay bundle from its own RNG."""

    def __init__(self, index: int, seed: int) -> None:
        self.index = index
        self.rng = random.Random(seed * 1_000_003 + index)
        self.lang = "ru" if index % 2 == 0 else "en"
        self.pool = RU_POOL if self.lang == "ru" else EN_POOL
        self.content = RU_WORDS if self.lang == "ru" else EN_WORDS
        self.syl = _RU_SYL if self.lang == "ru" else _EN_SYL

    # -- text primitives ----------------------------------------------------------------------
    def words(self, lo: int, hi: int) -> list[str]:
        return self.rng.choices(self.pool, k=self.rng.randint(lo, hi))

    def sentence(self, lo: int = 8, hi: int = 16, *, inline: bool = False, end: str = ".") -> str:
        rng = self.rng
        ws = self.words(lo, hi)
        ws[0] = ws[0].capitalize()
        if len(ws) > 6 and rng.random() < 0.3:
            ws[rng.randint(2, len(ws) - 3)] += ","
        if inline and rng.random() < 0.12:
            k = rng.randint(1, len(ws) - 2)
            w = ws[k].rstrip(",")
            r = rng.random()
            if r < 0.4:
                ws[k] = f"*{w}*"
            elif r < 0.6:
                ws[k] = f"**{w}**"
            elif r < 0.8:
                ws[k] = f"`{rng.choice(IDENTS)}`"
            else:
                ws[k] = f"[{w}](https://example.org/{self.lang}/{rng.randint(1, 9999)})"
        if end == "." and rng.random() < 0.05:
            end = "?"
        return " ".join(ws) + end

    def sentences(self, lo: int, hi: int, **kw) -> list[str]:
        return [self.sentence(**kw) for _ in range(self.rng.randint(lo, hi))]

    def phrase(self, lo: int, hi: int) -> str:
        ws = self.rng.choices(self.content, k=self.rng.randint(lo, hi))
        return " ".join(ws).capitalize()

    def proper_noun(self) -> str:
        return "".join(self.rng.choices(self.syl, k=3)).capitalize()

    def date(self, base: _dt.date, lo: int, hi: int) -> _dt.date:
        return base + _dt.timedelta(days=self.rng.randint(lo, hi))

    # -- blocks -------------------------------------------------------------------------------
    def bullet_list(self, numbered: bool) -> str:
        items = []
        for k in range(self.rng.randint(3, 5)):
            marker = f"{k + 1}." if numbered else "-"
            items.append(f"{marker} {self.sentence(4, 10, inline=True)}")
        return "\n".join(items)

    def code_block(self) -> str:
        rng = self.rng
        a, b, c = rng.sample(IDENTS, 3)
        n = rng.randint(2, 500)
        lang = rng.choice(["python", "js", "bash"])
        if lang == "python":
            code = (
                f"def {a}_{b}({c}):\n    {_L10N[self.lang]['comment']}\n    total = 0\n"
                f"    for item in {c}:\n        if item.{a} > {n}:\n"
                f"            total += item.{b}\n    return total\n"
            )
        elif lang == "js":
            code = (
                f"function {a}{b.capitalize()}({c}) {{\n"
                f"  return {c}.filter((x) => x.{a} > {n}).map((x) => x.{b});\n}}\n"
            )
        else:
            code = f'for f in ./{a}/*.txt; do\n  wc -w "$f" >> {b}.log\ndone\nsort -n {b}.log | tail -n {n % 20 + 1}\n'
        return f"```{lang}\n{code}```"

    def table(self) -> str:
        rng = self.rng
        h = _L10N[self.lang]["table"]
        rows = [f"| {h[0]} | {h[1]} | {h[2]} |", "|---|---:|---:|"]
        for _ in range(rng.randint(3, 5)):
            rows.append(f"| {rng.choice(self.content)} | {rng.randint(1, 999)} | {rng.randint(1, 999)} |")
        return "\n".join(rows)

    def quote_sentence(self, used: set[str]) -> tuple[str, str]:
        """A sentence and the clause of it that a critique quotes (plain words only)."""
        noun = self.proper_noun()
        while noun in used:
            noun = self.proper_noun()
        used.add(noun)
        rng = self.rng
        lead = rng.choices(self.pool, k=rng.randint(2, 5))
        lead[0] = lead[0].capitalize()
        quote = " ".join([noun] + rng.choices(self.content, k=rng.randint(3, 5)))
        tail = rng.choices(self.pool, k=rng.randint(3, 7))
        return f"{' '.join(lead)} {quote}, {' '.join(tail)}.", quote

    # -- the bundle ---------------------------------------------------------------------------
    def generate(self) -> tuple[str, str, dict[str, str]]:
        """Returns (slug, index.md text, {critique id: text})."""
        rng = self.rng
        lang = self.lang
        title = self.phrase(3, 7)
        base = _translit(title) if lang == "ru" else title.lower()
        slug = "-".join(base.split()[:5]) + f"-{self.index + 1}"
        date = self.date(_EPOCH, 0, _DATE_SPAN)

        # Critique metadata first: UPD dates follow the critiques they cite.
        cids = rng.sample(CRITIQUE_IDS, 3)
        cdates = {cid: self.date(date, 1, 40) for cid in cids}
        n_upd = rng.randint(1, 2)
        cited = cids[:n_upd]

        # Skeleton: sections of paragraphs (each a list of sentences).
        paragraphs: list[list[str]] = []
        layout: list[tuple[str, object]] = []  # ("h2"/"h3", text) | ("p", paragraph index)
        for _ in range(2):
            layout.append(("p", len(paragraphs)))
            paragraphs.append(self.sentences(3, 5, inline=True))
        heading_ids: list[str] = []
        for s in range(rng.randint(5, 6)):
            hid = f"sec-{s + 1}" if rng.random() < 0.5 else None
            layout.append(("h2", (self.phrase(2, 5), hid)))
            if hid:
                heading_ids.append(hid)
            for _ in range(rng.randint(3, 4)):
                layout.append(("p", len(paragraphs)))
                paragraphs.append(self.sentences(3, 6, inline=True))
            if rng.random() < 0.5:
                sid = f"sub-{s + 1}" if rng.random() < 0.4 else None
                layout.append(("h3", (self.phrase(2, 4), sid)))
                if sid:
                    heading_ids.append(sid)
                for _ in range(2):
                    layout.append(("p", len(paragraphs)))
                    paragraphs.append(self.sentences(3, 5, inline=True))

        n_claims = rng.randint(4, 8)
        n_blocks = rng.randint(1, 2)
        n_quotes = 3
        # Paragraph 0 is left plain: the top-of-essay UPD may sit before it.
        picked = rng.sample(range(1, len(paragraphs)), n_claims + n_blocks + n_quotes)
        claim_ps = sorted(picked[:n_claims])
        block_ps = sorted(picked[n_claims : n_claims + n_blocks])
        quote_ps = picked[n_claims + n_blocks :]

        claim_ids = [f"claim-{k + 1}" for k in range(n_claims)]
        block_of = {p: f"block-{k + 1}" for k, p in enumerate(block_ps)}
        claim_of = dict(zip(claim_ps, claim_ids))
        for p in claim_ps:
            sents = paragraphs[p]
            k = rng.randrange(len(sents))
            text = self.sentence(6, 14, inline=False)
            if rng.random() < 0.25:  # emphasis inside a claim
                ws = text.split(" ")
                j = rng.randint(1, len(ws) - 2)
                ws[j] = f"*{ws[j].rstrip(',')}*"
                text = " ".join(ws)
            sents[k] = f"[{text}]{{.claim #{claim_of[p]}}}"
        quotes: list[str] = []
        used_nouns: set[str] = set()
        for p in quote_ps:
            sent, quote = self.quote_sentence(used_nouns)
            sents = paragraphs[p]
            sents[rng.randrange(len(sents))] = sent
            quotes.append(quote)
        footnote = None
        if rng.random() < 0.35:
            p = rng.choice([i for i in range(len(paragraphs)) if i not in claim_of])
            paragraphs[p][-1] += "[^1]"
            footnote = f"[^1]: {self.sentence(6, 14)}"

        # UPD blocks: one may stand at the top, others right after the corrected claim.
        upds: dict[int, list[str]] = {}
        upd_top: list[str] = []
        for cid in cited:
            target = rng.choice(claim_ps)
            udate = self.date(cdates[cid], 1, 14)
            text = " ".join(self.sentences(1, 3, inline=True))
            block = f"::: upd {udate.isoformat()} re={cid} corrects=#{claim_of[target]}\n{text}\n:::"
            if rng.random() < 0.4:
                upd_top.append(block)
            else:
                upds.setdefault(target, []).append(block)

        # Extra blocks after distinct plain paragraphs.
        extras = ["code", "table", "ul", "ol"]
        after = dict(zip(rng.sample(range(len(paragraphs)), len(extras)), extras))

        out: list[str] = list(upd_top)
        for kind, val in layout:
            if kind in ("h2", "h3"):
                text, hid = val
                mark = "##" if kind == "h2" else "###"
                out.append(f"{mark} {text}" + (f" {{#{hid}}}" if hid else ""))
                continue
            p = val
            para = " ".join(paragraphs[p])
            if p in block_of:
                para = f"{{.claim #{block_of[p]}}}\n{para}"
            out.append(para)
            out.extend(upds.get(p, ()))
            extra = after.get(p)
            if extra == "code":
                out.append(self.code_block())
            elif extra == "table":
                out.append(self.table())
            elif extra in ("ul", "ol"):
                out.append(self.bullet_list(numbered=extra == "ol"))
        if footnote:
            out.append(footnote)
        body = "\n\n".join(out) + "\n"

        for q in quotes:  # guaranteed by construction; checked because critiques rely on it
            if body.count(q) != 1:
                raise AssertionError(f"quote {q!r} is not unique in essay {slug}")

        tags = rng.sample(TAG_POOL, rng.randint(2, 4))
        front = [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"date: {date.isoformat()}",
            f"summary: {json.dumps(self.sentence(10, 20), ensure_ascii=False)}",
            f"tags: {json.dumps(tags, ensure_ascii=False)}",
            f"difficulty: {rng.choice(DIFFICULTIES)}",
            f"lang: {lang}",
            "---",
            "",
            "",
        ]
        essay = "\n".join(front) + body

        targets = claim_ids + list(block_of.values()) + heading_ids
        critiques = {}
        for n, cid in enumerate(cids):
            critiques[cid] = self.critique(cid, cdates[cid], cid in cited, quotes[n], targets)
        return slug, essay, critiques

    def critique(self, cid: str, date: _dt.date, cited: bool, quote: str, targets: list[str]) -> str:
        rng = self.rng
        front = ["---", f"author: {rng.choice(READERS)}", f"date: {date.isoformat()}", f"stance: {rng.choice(STANCES)}"]
        if rng.random() < 0.2:
            front.append("pinned: true")
        if rng.random() < 0.4:
            front.append(f"source: https://example.org/post/{rng.randint(1, 99999)}#comment_{rng.randint(1, 400)}")
        if cited:
            if rng.random() < 0.5:
                front.append("status: addressed")
        elif rng.random() < 0.25:
            front.append("status: declined")
        front += ["---", ""]
        parts = [" ".join(self.sentences(3, 5, inline=True))]
        if rng.random() < 0.4:
            parts.append(" ".join(self.sentences(2, 4, inline=True)))
        remarks = [f'::: on "{quote}"\n{" ".join(self.sentences(1, 3, inline=True))}\n:::']
        for t in rng.sample(targets, rng.randint(1, 2)):
            remarks.append(f"::: on #{t}\n{' '.join(self.sentences(1, 3, inline=True))}\n:::")
        rng.shuffle(remarks)
        parts += remarks
        if rng.random() < 0.3:
            parts.append(
                f"::: reply {rng.choice(READERS)}, {self.date(date, 0, 5).isoformat()}\n{self.sentence()}\n:::"
            )
        parts.append(
            f"::: reply {SITE_AUTHOR}, {self.date(date, 1, 10).isoformat()}\n"
            f"{' '.join(self.sentences(1, 3, inline=True))}\n:::"
        )
        return "\n".join(front) + "\n\n".join(parts) + "\n"


SITE_YML = f'title: "Бенчмарк counterpoint"\nauthor: "{SITE_AUTHOR}"\nlanguage: ru\nbase_url: "/"\n'


def generate_essay(index: int, *, seed: int = 1) -> tuple[str, str, dict[str, str]]:
    """One essay: (slug, index.md text, {critique id: critique text})."""
    return _Essay(index, seed).generate()


def generate_site(root: Path, n: int, *, seed: int = 1) -> None:
    """Write a complete site with ``n`` essays (3 critiques each) into ``root``."""
    root = Path(root)
    essays = root / "content" / "essays"
    essays.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(SITE_YML, encoding="utf-8")
    for i in range(n):
        slug, essay, critiques = generate_essay(i, seed=seed)
        cdir = essays / slug / "critiques"
        cdir.mkdir(parents=True, exist_ok=True)
        (essays / slug / "index.md").write_text(essay, encoding="utf-8")
        for cid, text in critiques.items():
            (cdir / f"{cid}.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate a counterpoint benchmark site.")
    ap.add_argument("dir", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    generate_site(args.dir, args.n, seed=args.seed)
    print(f"wrote {args.n} essays to {args.dir} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
