"""Claim declarations: statements and notes written as prose blocks read back as one line each."""
from checks.framework import _REGISTRY, claim, load_claims


def test_prose_block_is_joined_into_one_line_and_explicit_strings_are_kept():
    c = claim("test-prose", "t", statement="""
        first line with  two spaces
        and a second line.
        """, notes="kept\n  as written", order=1e9)
    try:
        assert c.statement == "first line with two spaces and a second line."
        assert c.notes == "kept\n  as written"
    finally:
        _REGISTRY.pop("test-prose")


def test_every_declared_statement_is_single_spaced_prose():
    load_claims()
    for cid, c in _REGISTRY.items():
        for text in (c.statement, c.notes):
            if "\n" not in text:  # an explicit multi-line string (lemma-2.3's display) keeps its layout
                assert text == " ".join(text.split()), cid
