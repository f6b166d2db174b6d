"""Reader text brought in by counterpoint itself: a pasted comment
(``new critique --from``) and GitHub issues (``import github``).

Everything here writes critique files whose structure (front matter, remarks,
replies) is made by counterpoint; the reader's words pass through
``neutralize`` first, so they can never become structure.
"""
