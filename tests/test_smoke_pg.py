from annotations import corpus


def test_store_loads_corpus_on_each_backend(any_store):
    assert [t.document_id for t in corpus.list_texts(any_store)] == [
        "allied-powers-ussr", "stalinism-inner-truth", "steel-and-sacrifice"]
