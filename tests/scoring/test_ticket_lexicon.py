"""Lexicon cues carry what the packaged models learn across words and languages; stems match at a word's start."""

from __future__ import annotations

from hyperjourney.scoring.ticket_lexicon import markers, packaged_lexicon


def test_one_cue_reads_the_same_in_four_languages_and_without_accents() -> None:
    lexicon = packaged_lexicon()
    for text in (
        "Where is my refund?",
        "Wann kommt die Rückerstattung?",
        "Wann kommt die Ruckerstattung?",
        "¿Dónde está mi reembolso?",
        "Je n'ai pas été remboursé.",
    ):
        assert "lexrefund" in markers(text, lexicon), text


def test_stems_match_at_the_start_of_a_word_only() -> None:
    lexicon = {"very_negative": ["sue"], "high_stakes": ["payout"]}
    assert markers("There is an issue with my pursuer", lexicon) == []
    assert markers("I will sue you, the payouts are late", lexicon) == ["lexhighstakes", "lexverynegative"]
