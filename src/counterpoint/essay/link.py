"""Link stage: resolve every reference of an essay once all its files are parsed.

Remarks find their claims (by id or by quoted passage), UPDs find the
critiques they answer and the claims they correct, critiques get a status.
Every problem is collected; nothing depends on the order files were read in.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property

from counterpoint.errors import ContentError
from counterpoint.essay import anchoring
from counterpoint.model import Claim, Critique, ParsedEssay, Remark, Update, evolve


@dataclass(frozen=True)
class LinkedEssay:
    essay: ParsedEssay
    claims: dict[str, Claim]
    critiques: tuple[Critique, ...]  # pinned first, then by date
    remarks_by_claim: dict[str, tuple[Remark, ...]]
    corrected_by: dict[str, str]  # claim id -> newest UPD id correcting it
    updates: tuple[Update, ...]

    @cached_property
    def critique_by_id(self) -> dict[str, Critique]:
        return {c.id: c for c in self.critiques}

    @cached_property
    def update_by_id(self) -> dict[str, Update]:
        return {u.id: u for u in self.updates}


def link(essay: ParsedEssay) -> tuple[LinkedEssay, list[ContentError]]:  # noqa: C901 - every kind of reference in one pass, by design
    # Long: every kind of reference of an essay resolved in one pass.
    errors: list[ContentError] = []
    claims = dict(essay.claims)
    rel = essay.meta.rel
    quoted, earlier = _anchor_quotes(essay, claims, errors)

    critique_ids = {c.id: c for c in essay.critiques}
    addressed: dict[str, list[str]] = {}
    corrected_by: dict[str, str] = {}
    for update in essay.updates:
        for cid in update.re:
            if cid not in critique_ids:
                errors.append(
                    ContentError(
                        rel, update.line, f"UPD cites unknown critique '{cid}'", _known("critiques", cid, critique_ids)
                    )
                )
            else:
                addressed.setdefault(cid, []).append(update.id)
        for claim_id in update.corrects:
            if claim_id not in claims:
                errors.append(
                    ContentError(
                        rel,
                        update.line,
                        f"UPD corrects unknown claim '#{claim_id}'",
                        _known("claims", claim_id, claims),
                    )
                )
            else:
                previous = corrected_by.get(claim_id)
                if previous is None or _upd_date(essay, previous) <= update.date.sort_key():
                    corrected_by[claim_id] = update.id

    critiques: list[Critique] = []
    remarks_by_claim: dict[str, list[Remark]] = {}
    updates_in_time = sorted(essay.updates, key=lambda u: u.date.sort_key())
    corrections: dict[str, list[Update]] = {}  # claim id -> the UPDs correcting it, oldest first
    for u in updates_in_time:
        for corrected in u.corrects:
            corrections.setdefault(corrected, []).append(u)
    for critique in essay.critiques:
        remarks: list[Remark] = []
        for remark in critique.remarks:
            if remark.quote is not None:
                if remark.quote not in quoted:
                    continue  # already reported by _anchor_quotes
                claim_id = quoted[remark.quote]
            else:
                claim_id = remark.target
            if claim_id not in claims:
                errors.append(
                    ContentError(
                        critique.rel,
                        remark.line,
                        f"remark targets unknown claim '{remark.target}'",
                        _known("claims in this essay", remark.target, claims),
                        remark.col,
                    )
                )
                continue
            # the first UPD correcting the claim on or after the critique's date answers the remark
            answered = next(
                (u.id for u in corrections.get(claim_id, ()) if critique.date.sort_key() <= u.date.sort_key()),
                "",
            )
            remark = evolve(remark, claim=claim_id, answered_by=answered, earlier=remark.quote in earlier)
            remarks.append(remark)
            remarks_by_claim.setdefault(claim_id, []).append(remark)
        status = "open"
        if critique.id in addressed:
            status = "addressed"
            errors += _status_contradicted(critique, addressed[critique.id][0], essay.updates)
        elif critique.declared_status == "declined":
            status = "declined"
        elif critique.declared_status == "addressed":
            errors.append(
                ContentError(
                    critique.rel,
                    critique.status_line,
                    "critique says 'status: addressed' but no UPD cites it",
                    f"add 're={critique.id}' to the UPD that answers it, or remove the status line",
                )
            )
        critiques.append(
            evolve(critique, remarks=tuple(remarks), status=status, addressed_by=tuple(addressed.get(critique.id, ())))
        )
    critiques.sort(key=lambda c: (not c.pinned, c.date.sort_key(), c.id))
    linked = LinkedEssay(
        essay=essay,
        claims=claims,
        critiques=tuple(critiques),
        remarks_by_claim={k: tuple(v) for k, v in remarks_by_claim.items()},
        corrected_by=corrected_by,
        updates=essay.updates,
    )
    return linked, errors


def _upd_date(essay: ParsedEssay, upd_id: str):
    return next(u.date.sort_key() for u in essay.updates if u.id == upd_id)


def _anchor_quotes(
    essay: ParsedEssay, claims: dict[str, Claim], errors: list[ContentError]
) -> tuple[dict[str, str], set[str]]:
    # Long: every quoted remark of the essay anchored in one pass over its text.
    """Turn each ``::: on "quote"`` into a claim wrapped around that passage.

    A passage that lies inside an authored claim is that claim (one claim, one
    ledger row); a quote of an earlier text a claim names with ``was="…"``
    anchors to that claim and stays as the reader wrote it.  Returns quote ->
    claim id for the quotes found, and the quotes that name an earlier text.
    """
    quoted = [(c, r) for c in essay.critiques for r in c.remarks if r.quote]
    if not quoted:
        return {}, set()
    blocks = anchoring.essay_text(essay.tokens)
    corpus = anchoring.Corpus(blocks)  # one search string for every quote
    offset = essay.body_line - 1
    spans: dict[int, list[tuple[int, int, str]]] = {}
    resolved: dict[str, str] = {}
    earlier: set[str] = set()
    failed: set[str] = set()
    authored = _authored_spans(essay, claims, blocks)
    for critique, remark in quoted:
        quote = remark.quote or ""
        if quote in resolved or quote in failed:
            continue
        matches = corpus.find(quote)
        if len(matches) == 1:
            match = matches[0]
            inside = next(
                (cid for start, end, cid in authored.get(match.block, ()) if start <= match.start and match.end <= end),
                None,
            )
            if inside:
                resolved[quote] = inside
                continue
            claim_id = anchoring.quote_claim_id(quote)
            block = blocks[match.block]
            spans.setdefault(match.block, []).append((match.start, match.end, claim_id))
            claims[claim_id] = Claim(
                claim_id, "quote", anchoring.line_of(block, match.start) + offset, quote, block.token
            )
            resolved[quote] = claim_id
        elif not matches:
            was = [c.id for c in claims.values() if any(quote in text for text in c.was)]
            if len(was) == 1:
                resolved[quote] = was[0]
                earlier.add(quote)
                continue
            failed.add(quote)
            code_line = _in_code(essay.tokens, quote)
            if code_line:
                errors.append(
                    ContentError(
                        critique.rel,
                        remark.line,
                        f"quoted passage is in a code block (line {code_line + offset}), where a remark cannot point:"
                        f' "{_short(quote)}"',
                        "quote words of the text around the code, or name a claim (::: on #id)",
                        remark.col,
                    )
                )
                continue
            near = corpus.closest(quote)
            hint = "quote the essay's words exactly (whitespace does not matter)"
            if len(was) > 1:
                hint = f"the earlier texts (was=) of claims {', '.join('#' + c for c in was)} all hold it: quote more words"
            elif near and near[2] >= 0.5:
                hint = f'closest passage, {essay.meta.rel} line {near[1] + offset}: "{near[0]}"'
                hint += "; if the essay was corrected there, keep the reader's words and name them: " + _was_line(
                    near[0], quote, authored, blocks, corpus, claims
                )
            errors.append(
                ContentError(
                    critique.rel,
                    remark.line,
                    f'quoted passage not found in the essay: "{_short(quote)}"',
                    hint,
                    remark.col,
                )
            )
        else:
            failed.add(quote)
            found = list(dict.fromkeys(anchoring.line_of(blocks[m.block], m.start) + offset for m in matches[:1000]))
            lines = ("lines " if len(found) > 1 else "line ") + ", ".join(map(str, found[:10]))
            lines += ", …" if len(found) > 10 or len(matches) > 1000 else ""
            errors.append(
                ContentError(
                    critique.rel,
                    remark.line,
                    f'quoted passage "{_short(quote)}" occurs {len(matches)} times in the essay ({lines})',
                    "quote a longer passage so it occurs once, or mark the claim and use '::: on #id'",
                    remark.col,
                )
            )
    for number, block_spans in spans.items():
        anchoring.wrap(essay.tokens, blocks[number], block_spans)
    return resolved, earlier


def _authored_spans(
    essay: ParsedEssay, claims: dict[str, Claim], blocks: list[anchoring.BlockText]
) -> dict[int, list[tuple[int, int, str]]]:
    """Where the author's claims lie in the searched text: block number ->
    (start, end, claim id), for the quotes that fall inside one."""
    by_token = {block.token: number for number, block in enumerate(blocks)}
    found: dict[int, list[tuple[int, int, str]]] = {}
    tokens = essay.tokens
    for claim in claims.values():
        if claim.kind == "inline" and claim.token in by_token and claim.text:
            number = by_token[claim.token]
            text = blocks[number].text
            at = text.find(claim.text)
            while at != -1:
                found.setdefault(number, []).append((at, at + len(claim.text), claim.id))
                at = text.find(claim.text, at + 1)
        elif claim.kind == "block":
            depth = 0
            for index in range(claim.token, len(tokens)):
                depth += tokens[index].nesting
                if index in by_token:
                    found.setdefault(by_token[index], []).append((0, len(blocks[by_token[index]].text), claim.id))
                if depth == 0:
                    break
    for spans in found.values():
        spans.sort(key=lambda s: s[1] - s[0])  # the innermost claim first
    return found


def _was_line(near: str, quote: str, authored, blocks, corpus, claims: dict[str, Claim]) -> str:
    """The exact claim markup to write so the reader's quote names an earlier text."""
    matches = corpus.find(near)
    claim = None
    if len(matches) == 1:
        m = matches[0]
        claim = next((cid for s, e, cid in authored.get(m.block, ()) if s <= m.start and m.end <= e), None)
    if claim and claims[claim].kind == "inline":
        current = claims[claim]
        was = " | ".join((*current.was, quote))
        return f'[{current.text}]{{.claim #{claim} was="{_quoted(was)}"}}'
    return f'[{near}]{{.claim #new-id was="{_quoted(quote)}"}}'


def _quoted(text: str) -> str:
    """``text`` inside ``was="…"``: a quote mark or backslash escaped (``markdown._take_was``
    reads them back)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _status_contradicted(
    critique: Critique, upd_id: str, updates: tuple[Update, ...] | list[Update]
) -> list[ContentError]:
    """``status: declined`` (or ``open``) on a critique a UPD cites: the page calls it
    addressed, as every critique a UPD answers is."""
    if critique.declared_status not in ("declined", "open"):
        return []
    update = next(u for u in updates if u.id == upd_id)
    return [
        ContentError(
            critique.rel,
            critique.status_line,
            f"critique says 'status: {critique.declared_status}' but the UPD of {update.date.text} cites it"
            f" (re={critique.id}), which addresses it",
            f"remove the status line (a critique a UPD cites is addressed), or '{critique.id}' from the UPD's re=",
        )
    ]


def _in_code(tokens: list, quote: str) -> int:
    """The line of the code block that holds ``quote`` (whitespace collapsed), or 0: code is
    not text a remark can mark."""
    wanted = " ".join(quote.split())
    for token in tokens:
        if token.type in ("fence", "code_block") and wanted in " ".join(token.content.split()):
            return token.map[0] + 1 if token.map else 1
    return 0


def _known(what: str, name: str, known) -> str:
    names = sorted(k for k in known if not k.startswith("q-"))
    same = [k for k in names if k.lower() == name.lower()]  # ('#A' for 'a': difflib compares with case)
    close = same or difflib.get_close_matches(name, names, n=1)
    if close:
        return f"did you mean '{close[0]}'? ({what}: {', '.join(names[:12])}{', …' if len(names) > 12 else ''})"
    if not names:
        return f"there are no {what}; mark one with [text]{{.claim #id}}" if "claim" in what else f"there are no {what}"
    return f"{what}: {', '.join(names[:12])}{', …' if len(names) > 12 else ''}"
