"""The run summary's counts read as Swedish: the words agree with their numbers."""

from __future__ import annotations

from monitor.run_words import counts


def test_one_item_new_and_changed_is_singular_in_swedish():
    assert counts("sv", 1, 1, 1) == "1 post, 1 ny, 1 ändrad"
    assert counts("sv", 341, 341, 0) == "341 poster, 341 nya, 0 ändrade"
    assert counts("en", 1, 1, 0) == "1 item, 1 new, 0 changed"
