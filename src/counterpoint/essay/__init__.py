"""One essay through its stages: parse, link (anchoring remarks to the text), render."""
