"""Render stage: a linked essay -> the essay page, its annotations and summary.

The essay's tokens are rendered one top-level block at a time so that each
remark can be placed right after the block that holds its claim (DESIGN §6).

One module: the page's body, its remarks, its ledger and annotations.json are made from
the same linked essay in one pass, and share the remarks' note numbers.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token
from markupsafe import Markup

from counterpoint.essay.link import LinkedEssay
from counterpoint.markup.env import Rendering, addresses, render_env, set_addresses
from counterpoint.markup.markdown import essay_parser, plain_text
from counterpoint.model import Claim, CorrectedClaim, EssaySummary, Update, UpdateSummary, evolve
from counterpoint.theme.site import Site

if TYPE_CHECKING:
    from jinja2 import Environment

WORDS_PER_MINUTE = 200


def top_level_groups(tokens: list) -> list[tuple[int, int]]:
    """(start, end) token ranges of the top-level blocks, end exclusive."""
    groups: list[tuple[int, int]] = []
    start = None
    depth = 0
    for index, token in enumerate(tokens):
        if start is None:
            start = index
        depth += token.nesting  # every token of the top-level stream is a block (footnote tokens lack .block)
        if depth == 0:
            groups.append((start, index + 1))
            start = None
    if start is not None:
        groups.append((start, len(tokens)))
    return groups


STRENGTH = ("refutes", "disputes", "questions", "notes", "supports")  # the claim's colour: the strongest stance


def claim_status(claim_id: str, linked: LinkedEssay) -> str:
    """corrected / unchallenged (no remarks) / supported / disputed (an open critique
    argues) / addressed / declined (every critique of it is answered so)."""
    if claim_id in linked.corrected_by:
        return "corrected"
    remarks = linked.remarks_by_claim.get(claim_id, ())
    if not remarks:
        return "unchallenged"
    critiques = [linked.critique_by_id[r.critique] for r in remarks]
    still_open = [c for c in critiques if c.status == "open"]
    if still_open:
        return "supported" if all(c.stance == "supports" for c in still_open) else "disputed"
    return "addressed" if any(c.status == "addressed" for c in critiques) else "declined"


def claim_mark(claim_id: str, linked: LinkedEssay) -> str:
    stances = {linked.critique_by_id[r.critique].stance for r in linked.remarks_by_claim.get(claim_id, ())}
    return next((s for s in STRENGTH if s in stances), "notes")


def published_of(config_tz: str):
    """``published(value, stamp)``: when a piece first appeared on the site (from git),
    else its written date, as an ISO date-time for ``data-published``."""

    def published(value: str, stamp) -> str:
        return value or stamp.iso(config_tz)

    return published


def _place_after(tokens: list, claims: dict[str, Claim], wanted: set[str]) -> None:  # noqa: C901 - a case per kind of claim
    """A ``claim_after`` token after the last part of each wanted claim: after an
    inline or quoted claim's last ``claim_close`` (even when it spans formatting),
    at the end of the last line of text in a block claim or heading."""
    last_close: dict[str, tuple[Any, int]] = {}
    for token in tokens:
        children = token.children or ()
        if token.type != "inline" or not children:
            continue
        stack: list[str] = []
        # what follows a claim closed inside a link goes after the link: it holds a link (its
        # count), and HTML nests none
        links, in_link = 0, []
        for pos, child in enumerate(children):
            if child.type == "claim_open":
                stack.append(child.meta["claim"])
            elif child.type == "claim_close" and stack:
                claim_id = stack.pop()
                if claim_id in wanted:
                    last_close[claim_id] = (token, pos)
                    if links:
                        in_link.append(claim_id)
            elif child.type == "link_open":
                links += 1
            elif child.type == "link_close" and links:
                links -= 1
                if not links:
                    last_close.update((claim_id, (token, pos)) for claim_id in in_link)
                    in_link.clear()
    inserts: dict[int, list[tuple[int, str]]] = {}
    holders: dict[int, Any] = {}
    for claim_id, (token, pos) in last_close.items():
        holders[id(token)] = token
        inserts.setdefault(id(token), []).append((pos + 1, claim_id))
    for claim_id in wanted - set(last_close):
        claim = claims.get(claim_id)
        if claim is None or claim.kind not in ("block", "heading"):
            continue
        depth, last = 0, None
        for index in range(claim.token, len(tokens)):
            depth += tokens[index].nesting
            if tokens[index].type == "inline":
                last = tokens[index]
            if depth <= 0 and index > claim.token:
                break
        if last is not None:
            holders[id(last)] = last
            inserts.setdefault(id(last), []).append((len(last.children or []), claim_id))
    for key, places in inserts.items():
        token = holders[key]
        children = list(token.children or [])
        for pos, claim_id in sorted(places, key=lambda p: -p[0]):
            children.insert(pos, Token("claim_after", "", 0, meta={"claim": claim_id}))
        token.children = children


AFTER = "\0"  # around what follows a claim in the rendered blocks (NUL is never in an essay's text)


@dataclass(frozen=True)
class Body:
    """The essay's rendered body: for its page (with the remarks in place) and for
    feeds (the same blocks without the remarks, which need the page's margin)."""

    page: str
    feed: str
    notes: dict[str, int]  # remark anchor -> its note number (print)
    pieces: tuple[int, ...] = ()  # where ``feed``'s pieces are in ``page``: start and end of each


def render_body(linked: LinkedEssay, site: Site, jinja: Environment) -> Body:  # noqa: C901 - the body's parts, in page order
    # Long: the body's parts (claims, remarks, UPDs) in page order.
    essay = linked.essay
    tokens = essay.tokens
    md = essay_parser()
    for update in linked.updates:
        tokens[update.start].meta = {"upd": update}
        tokens[update.end].meta = {"upd_close": True}

    marks = {claim_id: claim_mark(claim_id, linked) for claim_id in linked.remarks_by_claim}
    claim_attrs: dict[str, dict[str, Any]] = {}
    for claim_id, claim in linked.claims.items():
        attrs: dict[str, Any] = {"data-remarks": len(linked.remarks_by_claim.get(claim_id, ()))}
        if claim_id in marks:
            attrs["data-mark"] = marks[claim_id]
        if claim_id in linked.corrected_by:
            attrs["data-corrected-by"] = linked.corrected_by[claim_id]
        if claim.kind in ("block", "heading"):
            token = tokens[claim.token]
            if claim.kind == "heading" and not attrs["data-remarks"] and "data-corrected-by" not in attrs:
                continue
            classes = str(token.attrs.get("class", "")).split()
            token.attrs["class"] = " ".join(dict.fromkeys(["claim", *classes]))
            token.attrs["data-claim"] = claim_id
            token.attrs.update({k: str(v) for k, v in attrs.items()})
        else:
            claim_attrs[claim_id] = attrs

    # which top-level block holds each claim, in document order; remarks are numbered in that order
    groups = top_level_groups(tokens)
    starts = [g[0] for g in groups]
    claims_in_group: dict[int, list[Claim]] = {}
    for claim_id in document_order(tokens):
        remarked = linked.claims.get(claim_id)
        if remarked is None or claim_id not in linked.remarks_by_claim:
            continue
        group = _bisect(starts, remarked.token)
        claims_in_group.setdefault(group, []).append(remarked)
    notes: dict[str, int] = {}  # remark anchor -> its note number
    for number in sorted(claims_in_group):
        for claim in claims_in_group[number]:
            for remark in linked.remarks_by_claim[claim.id]:
                notes[remark.anchor] = len(notes) + 1

    t = site.t
    published = published_of(site.config.timezone)
    after_template = jinja.get_template("partials/claim_after.html")

    def claim_after(claim_id: str) -> str:
        remarks = linked.remarks_by_claim.get(claim_id, ())
        numbers = [notes[r.anchor] for r in remarks if r.anchor in notes]
        span = "" if not numbers else str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}\u2013{numbers[-1]}"
        # between NULs (never in the text): ``own`` keeps it on the page and out of the feeds
        return (
            AFTER
            + after_template.render(
                site=site,
                t=t,
                claim_id=claim_id,
                remarks=len(remarks),
                notes=span,
                first=remarks[0].anchor if remarks else "",
                mark=marks.get(claim_id, "notes"),
                corrected=_update(linked, linked.corrected_by.get(claim_id, "")),
            )
            + AFTER
        )

    _place_after(tokens, linked.claims, set(linked.remarks_by_claim) | set(linked.corrected_by))
    upd_template = jinja.get_template("partials/upd.html")
    authors = {c.id: c.author for c in linked.critiques}

    def upd_open(update: Update) -> str:
        return upd_template.render(
            site=site,
            t=t,
            update=update,
            corrects=corrected_claims(linked, update),
            authors=authors,
            published=published,
        )

    def footnote_back(number: str) -> str:
        return t("footnote_back", n=number)

    env = render_env(essay.env, Rendering(claim_attrs, upd_open, claim_after, footnote_back))
    remark_template = jinja.get_template("partials/remark.html")

    parts: list[str] = []
    text: list[str] = []  # the essay's own blocks: the feed's content
    pieces: list[int] = []  # where each of them is in the page's body: start, end
    at = 0

    def own(html: str) -> None:
        # the essay's blocks, each a piece of the feeds; what follows a claim (its count, its
        # UPD badge: the margin's, which a feed has not) between pieces, as a remark is
        nonlocal at
        for number, part in enumerate(html.split(AFTER)):
            if number % 2 == 0:
                text.append(part)
                pieces.extend((at, at + len(part)))
            parts.append(part)
            at += len(part)

    run = 0  # the blocks from here to the next one with remarks render in one call
    for number in sorted(claims_in_group):
        end = groups[number][1]
        own(md.renderer.render(tokens[run:end], md.options, env))
        run = end
        for claim in claims_in_group[number]:
            for remark in linked.remarks_by_claim[claim.id]:
                critique = linked.critique_by_id[remark.critique]
                parts.append(
                    remark_template.render(
                        remark=remark,
                        critique=critique,
                        claim=claim,
                        site=site,
                        t=t,
                        note=notes[remark.anchor],
                        answered=_update(linked, remark.answered_by),
                        addressed=_update(linked, critique.addressed_by[0]) if critique.addressed_by else None,
                        published=published,
                    )
                )
                at += len(parts[-1])
    if run < len(tokens):
        own(md.renderer.render(tokens[run:], md.options, env))
    return Body("".join(parts), "".join(text), notes, tuple(pieces))


def corrected_claims(linked: LinkedEssay, update: Update) -> tuple[CorrectedClaim, ...]:
    return tuple(
        CorrectedClaim(c.id, c.text, c.was)
        for c in (linked.claims.get(cid) for cid in update.corrects)
        if c is not None
    )


def _bisect(starts: list[int], index: int) -> int:
    return max(0, bisect.bisect_right(starts, index) - 1)


def document_order(tokens: list) -> list[str]:
    """Claim ids in the order a reader meets them (block claims before their inline ones)."""
    order: dict[str, None] = {}
    for token in tokens:
        claim_id = token.attrs.get("data-claim") if token.nesting == 1 else None
        if claim_id:
            order.setdefault(str(claim_id), None)
        for child in token.children or ():
            if child.type == "claim_open":
                order.setdefault(child.meta["claim"], None)
    return list(order)


def _update(linked: LinkedEssay, upd_id: str) -> Update | None:
    return linked.update_by_id.get(upd_id) if upd_id else None


def _author(linked: LinkedEssay, critique_id: str) -> str:
    critique = linked.critique_by_id.get(critique_id)
    return critique.author if critique else critique_id


def upd_html(linked: LinkedEssay, update: Update, site: Site, url: str) -> str:
    """The inside of a UPD block alone, for the corrections page and feeds."""
    md = essay_parser()
    env = render_env(linked.essay.env, Rendering())
    # shown away from the essay: its relative links and images are made root-relative
    set_addresses(env, evolve(addresses(env), away=url))
    html = md.renderer.render(linked.essay.tokens[update.start + 1 : update.end], md.options, env)
    # and its in-page links point into the essay
    page = site.url(url)
    return html.replace('href="#', f'href="{page}#').replace(' id="', ' data-essay-id="')


def minutes(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


_MORE_RE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


def excerpt(tokens: list) -> str:
    """The essay's opening as plain text, for an essay without ``summary:``: what
    stands before a ``<!--more-->`` line, else its first paragraph (UPD blocks
    left out: a correction is not the essay's opening)."""
    more = _more(tokens)
    parts: list[str] = []
    in_upd = 0
    for index, token in enumerate(tokens if more is None else tokens[: more[0] + 1]):
        if token.type == "container_upd_open":
            in_upd += 1
        elif token.type == "container_upd_close":
            in_upd -= 1
        elif token.type == "inline" and not in_upd:
            if more is not None:
                children = token.children or []
                parts.append(plain_text(children[: more[1]] if index == more[0] else children, math=True))
            elif index and tokens[index - 1].type == "paragraph_open":
                text = plain_text(token.children or [], math=True)
                if text:
                    return text
    return " ".join(" ".join(parts).split())


def _more(tokens: list) -> tuple[int, int | None] | None:
    """Where ``<!--more-->`` is: (token index, child index for one inside a paragraph)."""
    for index, token in enumerate(tokens):
        if "<!--" not in token.content:
            continue
        if token.type == "html_block" and _MORE_RE.search(token.content):
            return index, None
        if token.type == "inline":
            for pos, child in enumerate(token.children or ()):
                if child.type == "html_inline" and _MORE_RE.search(child.content):
                    return index, pos
    return None


def summarize(linked: LinkedEssay, site: Site, url: str) -> EssaySummary:
    """What the listings and feeds need of the essay; where feeds find its body is set
    once its page is written (``pipeline``)."""
    meta = linked.essay.meta
    updates = tuple(
        UpdateSummary(
            id=u.id,
            date=u.date,
            html=upd_html(linked, u, site, url),
            re=tuple((cid, _author(linked, cid)) for cid in u.re),
            essay_slug=meta.slug,
            essay_title=meta.title,
            essay_url=url,
            corrects=corrected_claims(linked, u),
            lang=meta.lang,
            published=published_of(site.config.timezone)(u.published, u.date),
            moment=u.date.sort_key(site.config.timezone).timestamp(),
        )
        for u in linked.updates
    )
    tz = site.config.timezone
    newest = max(linked.updates, key=lambda u: u.date.sort_key(tz)).date if linked.updates else None
    if meta.updated and (newest is None or meta.updated.sort_key(tz) > newest.sort_key(tz)):
        newest = meta.updated  # revised since the last UPD, as the front matter says
    return EssaySummary(
        slug=meta.slug,
        url=url,
        title=meta.title,
        date=meta.date,
        updated=newest,
        summary=meta.summary or excerpt(linked.essay.tokens),
        tags=meta.tags,
        difficulty=meta.difficulty,
        author=meta.author,
        lang=meta.lang,
        minutes=minutes(linked.essay.words),
        critiques=len(linked.critiques),
        open_critiques=sum(1 for c in linked.critiques if c.status == "open"),
        updates=updates,
        draft=meta.draft,
        aliases=meta.aliases,
        published=tuple(
            sorted(
                {published_of(tz)(c.published, c.date) for c in linked.critiques}
                | {published_of(tz)(r.published, r.date) for c in linked.critiques for r in c.replies}
                | {u.published for u in updates}
            )
        ),
        image=site.resource(meta.image, url),
        moment=meta.date.sort_key(tz).timestamp(),
    )


def redirect_page(summary: EssaySummary, site: Site, jinja: Environment) -> str:
    """The page at an old address of the essay: a meta refresh and a canonical link to it."""
    return jinja.get_template("redirect.html").render(
        site=site, t=site.t, essay=summary, target=site.absolute(summary.url)
    )


def annotations_json(linked: LinkedEssay, summary: EssaySummary, site: Site) -> str:
    # Long: the format of annotations.json, field by field (docs/annotations.md).
    """``annotations.json``: the essay's audit trail for other tools."""
    published = published_of(site.config.timezone)
    data = {
        "version": 1,
        "essay": {
            "slug": summary.slug,
            "title": summary.title,
            "url": site.absolute(summary.url),
            "date": summary.date.text,
            "updated": summary.updated.text if summary.updated else None,
            "lang": summary.lang,
        },
        "claims": [
            {
                "id": c.id,
                "kind": c.kind,
                "text": c.text,
                "line": c.line,
                "status": claim_status(c.id, linked),
                "was": list(c.was),
                "corrected_by": linked.corrected_by.get(c.id),
                "remarks": [f"{r.critique}:{r.line}" for r in linked.remarks_by_claim.get(c.id, ())],
            }
            for c in sorted(linked.claims.values(), key=lambda c: c.token)
            if c.kind != "heading" or c.id in linked.remarks_by_claim
        ],
        "critiques": [
            {
                "id": c.id,
                "author": c.author,
                "date": c.date.text,
                "stance": c.stance,
                "status": c.status,
                "pinned": c.pinned,
                "source": c.source or None,
                "addressed_by": list(c.addressed_by),
                "published": published(c.published, c.date),
                "remarks": [
                    {
                        "id": f"{r.critique}:{r.line}",
                        "claim": r.claim,
                        "quote": r.quote,
                        "answered_by": r.answered_by or None,
                        "earlier": r.earlier,
                        "published": published(r.published, c.date),
                        "html": r.html,
                    }
                    for r in c.remarks
                ],
                "replies": [
                    {
                        "author": r.author,
                        "date": r.date.text,
                        "by_author": r.by_author,
                        "published": published(r.published, r.date),
                        "html": r.html,
                    }
                    for r in c.replies
                ],
                "html": c.html,
            }
            for c in linked.critiques
        ],
        "updates": [
            {
                "id": u.id,
                "date": u.date.text,
                "re": list(u.re),
                "corrects": list(u.corrects),
                "published": s.published,
                "html": s.html,
            }
            for u, s in zip(linked.updates, summary.updates)
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _has_code(body: str, linked: LinkedEssay) -> bool:
    """Whether the page shows highlighted code: only then does it load pygments.css."""
    marker = '<pre class="highlight"'
    if marker in body:
        return True
    return any(
        marker in html
        for c in linked.critiques
        for html in (c.html, *(r.html for r in c.remarks), *(r.html for r in c.replies))
    )


@dataclass(frozen=True)
class LedgerRow:
    """One claim in the essay page's ledger table."""

    claim: Claim
    status: str  # claim_status()
    critiques: tuple[str, ...]  # ids of the critiques with remarks on it, in the order of its remarks
    corrected_by: Update | None


def render_essay_page(
    linked: LinkedEssay, summary: EssaySummary, site: Site, jinja: Environment, rendered: Body
) -> str:
    """The essay page around its body (``render_body``)."""
    body, notes = rendered.page, rendered.notes
    ledger = [
        LedgerRow(
            claim=c,
            status=claim_status(c.id, linked),
            critiques=tuple(dict.fromkeys(r.critique for r in linked.remarks_by_claim.get(c.id, ()))),
            corrected_by=_update(linked, linked.corrected_by.get(c.id, "")),
        )
        for c in sorted(linked.claims.values(), key=lambda c: c.token)
        if c.kind != "heading" or c.id in linked.remarks_by_claim
    ]
    updates = {u.id: u for u in linked.updates}
    template = jinja.get_template("essay.html")
    toc = table_of_contents(linked) if linked.essay.meta.toc else ()
    return template.render(
        site=site,
        t=site.t,
        essay=summary,
        meta=linked.essay.meta,
        body=Markup(body),
        critiques=linked.critiques,
        critique_of=linked.critique_by_id,
        claims=linked.claims,
        ledger=ledger,
        updates=updates,
        Markup=Markup,
        page_url=summary.url,
        toc=toc,
        published=published_of(site.config.timezone),
        notes=notes,
        has_code=_has_code(body, linked),
    )


@dataclass(frozen=True)
class TocEntry:
    level: int  # 2 for h2, 3 for h3
    id: str
    text: str


def table_of_contents(linked: LinkedEssay) -> tuple[TocEntry, ...]:
    """The essay's h2 and h3 headings, in order, for ``nav.toc``."""
    tokens = linked.essay.tokens
    headings = sorted((c for c in linked.claims.values() if c.kind == "heading"), key=lambda c: c.token)
    entries = (TocEntry(int(tokens[c.token].tag[1]), c.id, c.text) for c in headings)
    return tuple(e for e in entries if e.level in (2, 3))
