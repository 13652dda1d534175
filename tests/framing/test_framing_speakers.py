"""Who speaks embedded words, on small synthetic texts worded unlike the seeds: a block
quotation after "in X's words:", a passive verb of saying, "according to", a noun of
saying, a parenthetical or endnote citation, a comment answered by name, and quotations
the author holds at a distance. Also a figure's own attached year."""

from __future__ import annotations

from framing_synthetic import source

from annotations.document import Paratext
from annotations.framing import Parser, extract_claims, extract_voices
from annotations.framing.notes import cited_name
from annotations.framing.voices import Voice


def voice(voices: list[Voice], text: str, words: str) -> Voice:
    found = [v for v in voices if v.kind != "author" and words in text[v.start : v.end]]
    assert len(found) == 1, (words, [(text[v.start : v.end], v.kind) for v in voices])
    return found[0]


def embedded(voices: list[Voice]) -> list[Voice]:
    return [v for v in voices if v.kind != "author"]


def test_a_plain_paragraph_after_in_x_words_is_a_block_quotation(parser: Parser) -> None:
    text = (
        "The city was rebuilt within a decade. It was, in the classicist Mary Beard’s words:\n\n"
        "a place where every street remembered the fire and every family had lost a house. (4)\n\n"
        "The rebuilding was paid for by a new tax.\n"
    )
    voices = extract_voices(source(text), parser)
    block = voice(voices, text, "every street")
    assert block.kind == "block_quotation" and block.speaker == "Mary Beard"
    assert text[block.start : block.end].endswith("lost a house.")  # the note call is not hers
    assert len(embedded(voices)) == 1  # the next paragraph is the author's again


def test_a_colon_before_an_unnamed_plain_paragraph_is_still_the_author(parser: Parser) -> None:
    text = "The reasons were three:\n\nthe harvest failed, the roads closed and the mint stopped.\n"
    assert embedded(extract_voices(source(text), parser)) == []


def test_the_agent_of_a_passive_verb_of_saying_speaks_not_its_subject(parser: Parser) -> None:
    text = (
        "The treaty pleased Bismarck, who was praised by Gladstone as “the most careful "
        "statesman of the age and a friend of peace.”\n"
    )
    voices = extract_voices(source(text), parser)
    assert voice(voices, text, "careful statesman").speaker == "Gladstone"


def test_according_to_names_who_vouches_for_reported_words(parser: Parser) -> None:
    text = (
        "In later years, according to Madame Roland, he asked to be remembered as “the friend "
        "of the people and nothing more than that.”\n"
    )
    voices = extract_voices(source(text), parser)
    assert voice(voices, text, "friend of the people").speaker == "Madame Roland"


def test_a_phrase_set_after_a_noun_of_saying_is_its_possessors(parser: Parser) -> None:
    text = (
        "Seen from the provinces, the regime looked different: the pamphleteer Jean Dupont’s "
        "angry description of the new assembly as ‘a club of lawyers’ spread fast.\n"
    )
    voices = extract_voices(source(text), parser)
    assert voice(voices, text, "club of lawyers").speaker == "Jean Dupont"
    # a scare quote inside what is described stays the author's
    text2 = "Weber’s description of ‘modern’ bureaucracy as ‘an iron cage’ is famous.\n"
    voices2 = extract_voices(source(text2), parser)
    assert voice(voices2, text2, "iron cage").speaker == "Weber"
    assert all("modern" not in text2[v.start : v.end] for v in embedded(voices2))


def test_a_citation_after_a_quotation_names_its_speaker(parser: Parser) -> None:
    text = (
        "The state grew. ‘Every state is founded on force, and on nothing else at all.’ "
        "(Leon Trotsky) It grew again. ‘Power tends to corrupt, and absolute power corrupts "
        "absolutely.’ (2)\n\nNotes\n1. Ibid.\n2. J. Acton, Letter to Bishop Creighton, 1887.\n"
    )
    notes = text.index("Notes")
    endnotes = (Paratext("endnotes", notes, len(text)),)
    voices = extract_voices(source(text, paratext=endnotes), parser)
    assert voice(voices, text, "founded on force").speaker == "Leon Trotsky"
    assert voice(voices, text, "tends to corrupt").speaker == "J. Acton"


def test_citation_names() -> None:
    assert cited_name("Guy Debord") == "Guy Debord"
    assert cited_name("A. Peacock, Two Hundred Pharaohs, p. 77") == "A. Peacock"
    assert cited_name("Ibid., p. 5") == ""
    assert cited_name("p. 77") == ""
    assert cited_name("Mao. The Unknown Story") == ""  # a title, not a name
    assert cited_name("1936") == ""
    assert cited_name("Donald Greer (1935), The Incidence of the Terror") == "Donald Greer"
    assert cited_name("Taken from the ‘forced labour’ entry in A. Bullock (ed.)") == ""


def test_a_comment_answered_by_name_gets_that_name(parser: Parser) -> None:
    text = (
        "The famine was not an accident, and Trotsky knew it.\n\nComments\n\n"
        "  1. This changed how I read the period.\n\n"
        "  2. Thanks, Priya. I had the same thought.\n\n"
        "  3. I agree with Trotsky on this.\n"
    )
    start = text.index("Comments")
    comments_area = (Paratext("comments", start, len(text)),)
    voices = extract_voices(source(text, paratext=comments_area), parser)
    comments = [v for v in voices if v.kind == "comment"]
    assert [c.speaker for c in comments] == ["Priya", "", ""]  # Trotsky is the article's


def test_quotations_held_at_a_distance_are_the_authors(parser: Parser) -> None:
    text = (
        "Napoleon’s memoirs may have praised the army, but the ‘glorious’ retreat cost "
        "thousands. The police hunted so-called “enemies of the nation and of its people” "
        "for years.\n"
    )
    assert embedded(extract_voices(source(text), parser)) == []


def test_a_year_set_right_after_a_figure_dates_that_figure_alone(parser: Parser) -> None:
    text = (
        "Between 1890 and 1925 flocks shrank: sheep fell from 12 million in 1900 to 8 million "
        "by 1920. In the 1930s about 4,000 in the 1930s were lost.\n"
    )
    claims = extract_claims(source(text), parser)
    by_value = {c.value_low: c for c in claims}
    assert (by_value[12_000_000].period_start, by_value[12_000_000].period_end) == (1900, 1900)
    assert (by_value[8_000_000].period_start, by_value[8_000_000].period_end) == (1920, 1920)
    assert (by_value[4000].period_start, by_value[4000].period_end) == (1930, 1939)  # a decade


def test_a_plain_paragraph_after_a_named_writer_and_a_colon_is_theirs(parser: Parser) -> None:
    text = (
        "Relief came late. In October 1846 Charles Trevelyan wrote to a colleague:\n\n"
        "The great evil with which we have to contend is not the physical evil of the famine "
        "but the moral evil of the selfish and perverse character of the people.\n\n"
        "The letter was published in 1848. The causes were these:\n\n"
        "the blight, the rents and the exports.\n"
    )
    voices = extract_voices(source(text), parser)
    block = voice(voices, text, "great evil")
    assert block.kind == "block_quotation" and block.speaker == "Charles Trevelyan"
    assert len(embedded(voices)) == 1  # "The causes were these:" names nobody who speaks


def test_a_double_barrelled_name_and_a_subject_with_a_relative_clause(parser: Parser) -> None:
    text = (
        "Lord Grey, who chaired the Colonial Office, called the scheme “a sound and humane "
        "measure for all concerned.” The historian Ann Lloyd-Jones wrote:\n\n"
        "    The scheme was neither sound nor humane.\n"
    )
    voices = extract_voices(source(text), parser)
    assert voice(voices, text, "sound and humane").speaker == "Lord Grey"
    assert voice(voices, text, "neither sound").speaker == "Ann Lloyd-Jones"


def test_a_block_quotation_named_after_it(parser: Parser) -> None:
    text = (
        "Consider this passage, long reprinted in primers:\n\n"
        "    The land lay waste, and in whole shires no plough was seen.\n\n"
        "So wrote Matthias Kern in 1882. It was never true of every shire.\n"
    )
    voices = extract_voices(source(text), parser)
    assert voice(voices, text, "land lay waste").speaker == "Matthias Kern"


def test_a_record_published_by_someone_is_their_source(parser: Parser) -> None:
    from annotations.framing import extract_claims

    text = (
        "In a survey published in 1931 by the demographer Hilde Brandt it was estimated that "
        "the uplands lost about 30 percent of their farms.\n"
    )
    farms = extract_claims(source(text), parser)[0]
    assert "Hilde Brandt" in farms.attributed_to
