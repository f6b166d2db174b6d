"""Parse stage: files -> front matter values, token streams and collected targets.

Nothing is resolved here: a remark's target stays as written and a UPD's
``re=`` stays a list of names.  ``link.py`` resolves them all in one pass.

One module: an essay and its critiques are parsed together (the ids the page gives the
critiques are known before the essay's body is parsed), under the same field rules.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from counterpoint.errors import ContentError
from counterpoint.markup.env import Addresses, collected, parse_env
from counterpoint.markup.markdown import (
    ID_RE,
    RESERVED_IDS,
    essay_parser,
    reader_parser,
    reading_words,
)
from counterpoint.markup.sanitize import clean_many
from counterpoint.markup.slugs import slug, slug_problem
from counterpoint.model import (
    DIFFICULTIES,
    STANCES,
    STATUSES,
    Claim,
    Critique,
    EssayMeta,
    EssaySource,
    FileRef,
    ParsedEssay,
    Remark,
    Reply,
    Update,
    evolve,
)
from counterpoint.source.config import SiteConfig
from counterpoint.source.foreign_keys import adopt
from counterpoint.source.frontmatter import (
    Document,
    Field,
    Stamp,
    date_hint,
    parse_document,
    parse_stamp,
    validate_meta,
)
from counterpoint.source.i18n import known_language
from counterpoint.source.published import block_key

ESSAY_FIELDS = (
    Field("title", "str", required=True),
    Field("date", "date", required=True),
    Field("summary", "text", default=""),
    Field("tags", "list", default=[]),
    Field("difficulty", "choice", default="", choices=DIFFICULTIES),
    Field("author", "str", default=""),
    Field("draft", "bool", default=False),
    Field("slug", "str", default=""),
    Field("lang", "str", default=""),
    Field("updated", "date"),
    Field("toc", "bool"),
    Field("aliases", "list", default=[]),
    Field("extra", "mapping", default={}),
    Field("image", "str", default=""),
)
PAGE_FIELDS = (
    Field("title", "str", required=True),
    Field("date", "date"),
    Field("summary", "text", default=""),
    Field("draft", "bool", default=False),
    Field("slug", "str", default=""),
    Field("lang", "str", default=""),
    Field("extra", "mapping", default={}),
    Field("image", "str", default=""),
)
CRITIQUE_FIELDS = (
    Field("author", "str", required=True),
    Field("date", "date", required=True),
    Field("stance", "choice", default="notes", choices=STANCES),
    Field("pinned", "bool", default=False),
    Field("source", "url", default=""),
    Field("status", "choice", default="", choices=STATUSES),
)

_UPD_ARG_RE = re.compile(r"^(re|corrects)=(\S+)$")
_CRITIQUE_ID_RE = re.compile(r"^[^\W_][\w.-]*$")  # a file stem usable as an id and in re= lists
_WORDS_RE = re.compile(r"[^\W_]+")
_QUOTE_PAIRS = {'"': '"', "«": "»", "“": "”", "„": "“"}


_ID_HINT = "an id is ASCII: a letter (a-z, A-Z), then letters, digits, '-', '_', '.' or ':'"


def parse_essay(
    source: EssaySource, config: SiteConfig, raw: bytes, critiques_raw: dict[str, bytes]
) -> tuple[ParsedEssay | None, list[ContentError]]:
    # Long: front matter, then the body, in the order their errors are reported.
    """Parse an essay and its critiques; return every problem found, not the first."""
    errors: list[ContentError] = []
    try:
        doc, _notes, errors = essay_document(source, config, raw)
    except ContentError as exc:
        return None, [exc]
    values, problems = validate_meta(doc, ESSAY_FIELDS, "essay", config.timezone)
    errors += problems
    aliases, alias_errors = _aliases(values.get("aliases") or [], doc)
    errors += alias_errors
    slug = values.get("slug") or source.slug
    if values.get("slug"):
        why = slug_problem(values["slug"])
        if why:
            errors.append(
                ContentError(
                    doc.rel,
                    doc.meta_lines.get("slug", 1),
                    why,
                    "use lowercase letters, digits and '-', e.g. slug: my-essay",
                )
            )
    elif slug_problem(source.slug):  # from the file or folder name: 'con.md', '!!!/'
        errors.append(
            ContentError(
                doc.rel,
                1,
                f"the essay's file name gives an unusable address: {slug_problem(source.slug)}",
                "rename the file or folder, or set 'slug:' in the front matter",
            )
        )
    if values.get("lang") and not known_language(values["lang"]):
        errors.append(
            ContentError(
                doc.rel,
                doc.meta_lines.get("lang", 1),
                f"unknown language '{values['lang']}'",
                "use a language code such as en or ru",
            )
        )
    if problems and any(p.message.endswith(("'title'", "'date'")) for p in problems):
        return None, errors
    meta = EssayMeta(
        slug=slug,
        title=values.get("title") or "",
        date=values.get("date"),  # type: ignore[arg-type]  # None only alongside an error about it
        summary=values.get("summary") or "",
        tags=tuple(dict.fromkeys(values.get("tags") or [])),
        difficulty=values.get("difficulty") or "",
        author=values.get("author") or config.author,
        draft=bool(values.get("draft")),
        lang=values.get("lang") or config.language,
        rel=doc.rel,
        updated=values.get("updated"),
        toc=values["toc"] if values.get("toc") is not None else config.toc,
        aliases=aliases,
        extra=values.get("extra") or {},
        image=values.get("image") or "",
        image_line=doc.meta_lines.get("image", 1),
    )
    published = dict(source.published)
    critiques: list[Critique] = []
    for ref in source.critiques:
        critique, problems = parse_critique(ref, critiques_raw[ref.rel], config, meta.author, published)
        errors += problems
        if critique is not None:
            critiques.append(critique)
    # the ids the page gives its critiques and remarks: a generated heading id steps around them
    given = {f"critique-{c.id}": f"the id of critique '{c.id}' on the page" for c in critiques}
    for critique in critiques:
        for remark in critique.remarks:
            given[remark.anchor] = f"the id of a remark of critique '{critique.id}' (its line {remark.line})"
    md = essay_parser()
    env = parse_env(taken=frozenset(given), addresses=Addresses(config.base_path))
    tokens = md.parse(doc.body, env)
    offset = doc.body_line - 1
    for line, message, hint in collected(env).problems:
        errors.append(ContentError(doc.rel, line + offset, message, hint))
    claims, claim_errors = _collect_claims(env, doc, offset)
    errors += claim_errors
    updates, upd_errors = _collect_updates(env, doc, offset, config.timezone, published)
    errors += upd_errors
    given.update((u.id, f"the id of the UPD of {u.date} (line {u.line})") for u in updates)
    errors += authored_id_errors(env, doc.rel, offset, given)
    parsed = ParsedEssay(
        meta=meta,
        source=source,
        tokens=tokens,
        env=env,
        body_line=doc.body_line,
        claims=claims,
        updates=tuple(updates),
        critiques=tuple(critiques),
        words=reading_words(tokens),
    )
    return parsed, errors


_ESSAY_KEYS = frozenset(f.name for f in ESSAY_FIELDS)


def essay_document(
    source: EssaySource, config: SiteConfig, raw: bytes
) -> tuple[Document, list[ContentError], list[ContentError]]:
    """The essay's front matter and body, with Hugo's and Jekyll's keys read as
    counterpoint's and the date of a ``2024-01-15-slug.md`` name when none is
    written: (document, notes for ``check``, errors).  Raises ContentError when
    the file cannot be read at all."""
    doc = parse_document(raw, source.index.path, config.root)
    doc, notes, errors = adopt(doc, _ESSAY_KEYS)
    if source.name_date and "date" not in doc.meta:
        doc = evolve(doc, meta={**doc.meta, "date": source.name_date})
        notes.append(
            ContentError(
                doc.rel,
                1,
                f"the date {source.name_date} is taken from the file name",
                "write date: in the front matter to set the time too",
                severity="note",
            )
        )
    return doc, notes, errors


_ALIAS_HINT = "write an old address of this essay as a path on the site, e.g. /2019/05/old-name/"


def _aliases(values: list[str], doc: Document) -> tuple[tuple[str, ...], list[ContentError]]:
    """Old addresses as site paths without the leading '/': 'blog/old/' or 'old.html'."""
    found: list[str] = []
    errors: list[ContentError] = []
    line = doc.meta_lines.get("aliases", 1)
    for value in values:
        parts = urlsplit(value)
        path = unquote(parts.path).lstrip("/")
        problem = ""
        if parts.scheme or parts.netloc:
            problem = f"alias '{value}' is a full address; only paths on this site can redirect"
        elif parts.query or parts.fragment:
            problem = f"alias '{value}' has a ?query or #fragment, which a static page cannot answer"
        elif not path or any(p in ("", ".", "..") for p in path.rstrip("/").split("/")) or "\\" in path:
            problem = f"alias '{value}' is not a usable path"
        elif any(ord(c) < 32 or c.isspace() or c in '<>"' for c in path):
            problem = f"alias '{value}' contains a character a path cannot have"
        if problem:
            errors.append(ContentError(doc.rel, line, problem, _ALIAS_HINT))
            continue
        found.append(path if path.endswith((".html", ".htm", "/")) else path + "/")
    return tuple(dict.fromkeys(found)), errors


_GENERATED_FORMS = (
    (re.compile(r"q-[0-9a-f]{8}"), "of the form the page gives a quoted passage (q- and 8 hex digits)"),
    (re.compile(r"fn(?:ref)?\d+(?::\d+)?"), "of the form the page gives a footnote (fn1, fnref1)"),
)


def authored_id_errors(env: dict, rel: str, offset: int, given: dict[str, str]) -> list[ContentError]:
    """Every id the author wrote (``{#id}`` on a heading, a block or a span, a claim's
    ``#id``) that the page would hold twice: one the theme's layout uses
    (``RESERVED_IDS``), one the page gives a critique, remark or UPD (``given``:
    id -> what has it), one of a generated form, or one written twice."""
    errors: list[ContentError] = []
    found = collected(env)
    targets = {(target[0], target[2]) for target in found.targets}
    first: dict[str, int] = {}
    for ident, line in found.ids:
        what = given.get(ident)
        if what is None and ident in RESERVED_IDS:
            what = "used by the page's layout (the theme's ids are listed in docs/ids.md)"
        if what is None:
            what = next((form for pattern, form in _GENERATED_FORMS if pattern.fullmatch(ident)), None)
        if what is not None:
            errors.append(ContentError(rel, line + offset, f"id '{ident}' is {what}", "choose another id"))
        elif ident in first:
            if (ident, first[ident]) not in targets or (ident, line) not in targets:  # two claims: reported as such
                errors.append(
                    ContentError(
                        rel,
                        line + offset,
                        f"id '{ident}' is used twice (first on line {first[ident] + offset})",
                        "ids must be unique within a page: rename one of them",
                    )
                )
        else:
            first[ident] = line
    return errors


def _collect_claims(env: dict, doc: Document, offset: int) -> tuple[dict[str, Claim], list[ContentError]]:
    claims: dict[str, Claim] = {}
    errors: list[ContentError] = []
    was: dict[str, tuple[str, ...]] = collected(env).was
    for claim_id, kind, line, index, text in collected(env).targets:
        line += offset
        if kind != "heading" and not ID_RE.match(claim_id):
            errors.append(
                ContentError(
                    doc.rel,
                    line,
                    f"claim id '{claim_id}' is not a valid id",
                    _ID_HINT + (f"; e.g. #{better}" if (better := slug(claim_id)) and better[0].isalpha() else ""),
                )
            )
            continue
        if claim_id in claims:
            first = claims[claim_id]
            errors.append(
                ContentError(
                    doc.rel,
                    line,
                    f"duplicate claim id '{claim_id}' (first used on line {first.line})",
                    "ids must be unique within an essay: rename one of them",
                )
            )
            continue
        claims[claim_id] = Claim(claim_id, kind, line, text, index, was.get(claim_id, ()))
    return claims, errors


def _collect_updates(
    env: dict, doc: Document, offset: int, timezone: str, published: dict[str, str] | None = None
) -> tuple[list[Update], list[ContentError]]:
    updates: list[Update] = []
    errors: list[ContentError] = []
    seen: dict[str, int] = {}
    for info, line, start, end in collected(env).upds:
        line += offset
        args = info.split()[1:]
        if not args:
            errors.append(
                ContentError(doc.rel, line, "UPD block has no date", "write it as '::: upd 2026-01-17 re=critique-id'")
            )
            continue
        try:
            date = parse_stamp(args[0], timezone)
        except ValueError as exc:
            errors.append(ContentError(doc.rel, line, f"UPD date '{args[0]}' is invalid: {exc}", date_hint(exc)))
            continue
        re_ids: list[str] = []
        corrects: list[str] = []
        for arg in args[1:]:
            match = _UPD_ARG_RE.match(arg)
            if not match:
                errors.append(
                    ContentError(
                        doc.rel,
                        line,
                        f"unknown UPD argument '{arg}'",
                        "use re=critique-id[,id…] and corrects=#claim-id[,#id…]",
                    )
                )
                continue
            names = [n.strip() for n in match.group(2).split(",") if n.strip()]
            if match.group(1) == "re":
                re_ids += names
            else:
                corrects += [n.lstrip("#") for n in names]
        base = f"upd-{date.date.isoformat()}"
        seen[base] = seen.get(base, 0) + 1
        upd_id = base if seen[base] == 1 else f"{base}-{seen[base]}"
        key = block_key(info and f"::: {info}")
        when = (published or {}).get(f"{doc.rel}\0{key}", "") if key else ""
        updates.append(
            Update(upd_id, date, tuple(dict.fromkeys(re_ids)), tuple(dict.fromkeys(corrects)), line, start, end, when)
        )
    return updates, errors


def parse_critique(
    ref: FileRef, raw: bytes, config: SiteConfig, essay_author: str, published: dict[str, str] | None = None
) -> tuple[Critique | None, list[ContentError]]:
    # Long: a critique's front matter, remarks and replies in source order.
    """A reader's critique: front matter, general text, remarks and replies.

    Rendered right away with the reader dialect and sanitized: reader HTML
    never reaches a later stage unsanitized.
    """
    try:
        doc = parse_document(raw, ref.path, config.root, untrusted=True)
    except ContentError as exc:
        return None, [exc]
    values, errors = validate_meta(doc, CRITIQUE_FIELDS, "critique", config.timezone)
    if any(e.message.endswith(("'author'", "'date'")) for e in errors):
        return None, errors
    critique_id = ref.path.stem
    if not _CRITIQUE_ID_RE.match(critique_id):
        better = "-".join(_WORDS_RE.findall(critique_id)).lower() or "critique"
        errors.append(
            ContentError(
                doc.rel,
                1,
                f"critique file name '{critique_id}' cannot be used as a critique id",
                f"UPDs cite a critique by its file name (re=…): rename the file, e.g. to {better}.md",
            )
        )
    md = reader_parser()
    env = parse_env(addresses=Addresses(config.base_path))
    tokens = md.parse(doc.body, env)
    offset = doc.body_line - 1
    for line, message, hint in collected(env).problems:  # formulas that are not LaTeX
        errors.append(ContentError(doc.rel, line + offset, message, hint))
    general: list = []
    remarks: list[Remark] = []
    replies: list[Reply] = []
    body_lines = doc.body.split("\n")  # once: a critique may hold thousands of remarks
    index = 0
    containers: list[tuple[Any, int, str]] = []  # (opening token, line, raw HTML), sanitized together below
    leads: list[str] = []  # a long remark's first lines ("" when it is short)
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("container_on_open", "container_reply_open"):
            end = _container_end(tokens, index)
            line = (token.map[0] + 1 if token.map else 1) + offset
            inside = tokens[index + 1 : end]
            errors += _nested(token, inside, doc.rel, line, offset)
            containers.append((token, line, md.renderer.render(inside, md.options, env)))
            first = clamp(inside) if token.type == "container_on_open" else None
            leads.append(md.renderer.render(first, md.options, env) if first else "")
            index = end + 1
            continue
        general.append(token)
        index += 1
    raws = [raw for _, _, raw in containers] + [md.renderer.render(general, md.options, env)]
    cleaned = clean_many(raws + [lead for lead in leads if lead])
    pieces, html, clean_leads = (
        cleaned[: len(containers)],
        cleaned[len(containers)],
        iter(cleaned[len(containers) + 1 :]),
    )
    authors = {config.author, essay_author}
    for (token, line, _), piece, lead in zip(containers, pieces, leads):
        if token.type == "container_on_open":
            source_line = body_lines[token.map[0]] if token.map and token.map[0] < len(body_lines) else ""
            remark, problem = _remark(critique_id, token.info, line, piece, doc.rel, source_line)
            if remark:
                clean_lead = next(clean_leads) if lead else ""
                remarks.append(evolve(remark, published=_when(published, doc.rel, source_line), lead=clean_lead))
        else:
            reply, problem = _reply(token.info, line, piece, doc.rel, authors, config.timezone)
            if reply:
                source_line = body_lines[token.map[0]] if token.map and token.map[0] < len(body_lines) else ""
                reply = evolve(reply, published=_when(published, doc.rel, source_line))
            if reply:
                replies.append(reply)
        if problem:
            errors.append(problem)
    critique = Critique(
        id=critique_id,
        rel=doc.rel,
        author=values["author"],
        # an invalid date is already reported; a stand-in keeps linking going so every other problem is found too
        date=values["date"] or parse_stamp("1970-01-01"),
        stance=values.get("stance") or "notes",
        pinned=bool(values.get("pinned")),
        source=values.get("source") or "",
        declared_status=values.get("status") or "",
        html=html,
        remarks=tuple(remarks),
        replies=tuple(replies),
        status_line=doc.meta_lines.get("status", 1),
        published=(published or {}).get(doc.rel, ""),
    )
    return critique, errors


LEAD_WORDS = 40  # about six lines of the margin column
CLAMP_WORDS = 60  # a remark longer than this is clamped to LEAD_WORDS behind a "more"


def clamp(tokens: list[Token]) -> list[Token] | None:
    """A long remark's first lines, cut between blocks or, inside a paragraph, between
    words (with " …"); None when the remark is short enough to show whole.  The margin
    shows them until the reader opens the whole remark, which replaces them: a remark
    is never read as two halves with the control between them."""
    if reading_words(tokens) <= CLAMP_WORDS:
        return None
    words = 0
    base = tokens[0].level if tokens else 0  # inside a ::: container the blocks are one level down
    for index, token in enumerate(tokens):
        if token.level != base or token.nesting != 1:
            continue
        end = _block_end(tokens, index)
        block_words = reading_words(tokens[index : end + 1])
        if words + block_words <= LEAD_WORDS:
            words += block_words
            continue
        simple = token.type == "paragraph_open" and end == index + 2
        if simple and LEAD_WORDS - words >= 8:
            first = _first_words(tokens[index + 1], LEAD_WORDS - words)
            if first is not None:
                return tokens[:index] + [token, first, tokens[end]]
        if index == 0:
            return None  # one long list or table first: nothing readable to show before "more"
        return tokens[:index]
    return None


def _block_end(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _first_words(inline: Token, limit: int) -> Token | None:
    """The first ``limit`` words or so of an inline token, cut at a word boundary of a
    text child outside any emphasis or link; None when there is none."""
    words, depth = 0, 0
    children = inline.children or []
    for pos, child in enumerate(children):
        depth += child.nesting
        if child.type != "text":
            if child.type == "code_inline":
                words += len(child.content.split())
            continue
        found = list(re.finditer(r"\S+", child.content))
        if depth == 0 and words + len(found) >= limit and limit - words > 0:
            cut = found[limit - words - 1].end()
            head = Token("text", "", 0, content=child.content[:cut] + " …")
            first = Token("inline", "", 0, map=inline.map, level=inline.level, content="")
            first.children = children[:pos] + [head]
            return first
        words += len(found)
    return None


def _when(published: dict[str, str] | None, rel: str, line: str) -> str:
    """When the block that ``line`` opens first appeared on the site ("" when unknown)."""
    key = block_key(line) if published else None
    return published.get(f"{rel}\0{key}", "") if published and key else ""


def _nested(token: Token, inside: list[Token], rel: str, line: int, offset: int) -> list[ContentError]:
    """A ``::: on`` or ``::: reply`` with another inside it (one left open is said by
    the dialect's ``markdown.stray_blocks``, as an essay's ``::: upd`` is)."""
    name = token.type.split("_")[1]
    nested = next((t for t in inside if t.type in ("container_on_open", "container_reply_open")), None)
    if nested is None:
        return []
    return [
        ContentError(
            rel,
            (nested.map[0] + 1 if nested.map else line) + offset,
            f"::: {nested.type.split('_')[1]} cannot be inside ::: {name}",
            f"close the ::: {name} block with ':::' first: replies and remarks stand side by side",
        )
    ]


def _container_end(tokens: list, start: int) -> int:
    open_type = tokens[start].type
    close_type = open_type.replace("_open", "_close")
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].type == open_type:
            depth += 1
        elif tokens[index].type == close_type:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _remark(
    critique_id: str, info: str, line: int, html: str, rel: str, source_line: str = ""
) -> tuple[Remark | None, ContentError | None]:
    arg = info.strip()[len("on") :].strip()
    # the column of the target as written: "::: on #x" -> 8
    col = source_line.find(arg, source_line.find("on")) + 1 if arg and arg in source_line else 1
    if arg.startswith("#"):
        target = arg[1:].strip()
        if not target or " " in target:
            return None, ContentError(
                rel,
                line,
                f"remark target '{arg}' is not an id",
                "write '::: on #claim-id' or '::: on \"quoted text\"'",
                col,
            )
        return Remark(critique_id, target, None, line, col, html), None
    if arg and arg[0] in _QUOTE_PAIRS and arg.endswith(_QUOTE_PAIRS[arg[0]]) and len(arg) > 2:
        quote = " ".join(arg[1:-1].split())
        if quote:
            return Remark(critique_id, quote, quote, line, col, html), None
        return None, ContentError(  # whitespace would match nothing: the remark would be lost unsaid
            rel, line, f"remark quotes no words: '{arg}'", "quote the exact words of the essay it answers", col
        )
    return None, ContentError(
        rel,
        line,
        f"remark needs a target, got '{arg}'" if arg else "remark has no target",
        "write '::: on #claim-id' or '::: on \"exact words of the essay\"'",
        col,
    )


def _reply(
    info: str, line: int, html: str, rel: str, authors: set[str], timezone: str = "UTC"
) -> tuple[Reply | None, ContentError | None]:
    arg = info.strip()[len("reply") :].strip()
    name, _, date_text = arg.rpartition(",")
    name = name.strip()
    if not name or not date_text.strip():
        return None, ContentError(
            rel, line, f"reply needs a name and a date, got '{arg}'", "write '::: reply Name, 2026-01-17'"
        )
    try:
        date: Stamp = parse_stamp(date_text.strip(), timezone)
    except ValueError as exc:
        return None, ContentError(rel, line, f"reply date '{date_text.strip()}' is invalid: {exc}", date_hint(exc))
    return Reply(name, date, html, line, name in authors), None
