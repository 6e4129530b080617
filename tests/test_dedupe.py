import json
from dataclasses import replace

from sqlalchemy import func, select

from newsdesk import api
from newsdesk.ingest.dedupe import NUM_PERM
from newsdesk.store.schema import article_lsh, lsh_params


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


BODY = (
    "Ukraine and Russia held a third round of talks in Istanbul on Wednesday, chaired by the Turkish "
    "foreign minister. The delegations agreed to exchange prisoners and the bodies of fallen soldiers, "
    "but made no progress on a ceasefire. Ukrainian officials said Moscow was stalling to avoid new "
    "sanctions, while Russian negotiators repeated their demands on territory and neutrality."
)


def test_syndicated_copy_is_linked_to_original(tmp_path, store, settings):
    _jsonl(
        tmp_path / "a.jsonl", [{"url": "https://wire.example/a", "title": "Talks", "text": BODY}]
    )
    # same story on another site with a small edit at the end
    edited = BODY.replace("neutrality.", "neutrality, according to officials.")
    _jsonl(
        tmp_path / "b.jsonl", [{"url": "https://paper.example/b", "title": "Talks", "text": edited}]
    )
    api.ingest([str(tmp_path / "a.jsonl")], store, settings)
    report = api.ingest([str(tmp_path / "b.jsonl")], store, settings)
    assert report.added == 1 and report.near_duplicates == 1
    by_url = {a.url: a for a in store.iter_articles()}
    original = by_url["https://wire.example/a"]
    assert original.duplicate_of is None
    assert by_url["https://paper.example/b"].duplicate_of == original.id


def test_different_articles_are_not_duplicates(tmp_path, store, settings):
    other = (
        "Shares in European banks fell sharply on Monday after the central bank signalled that "
        "interest rates would stay high for longer than markets had expected, analysts said."
    )
    _jsonl(tmp_path / "c.jsonl", [{"url": "u1", "text": BODY}, {"url": "u2", "text": other}])
    report = api.ingest([str(tmp_path / "c.jsonl")], store, settings)
    assert report.added == 2 and report.near_duplicates == 0


def test_same_text_same_url_is_one_article(tmp_path, store, settings):
    rec = {"url": "https://x.example/1", "text": BODY}
    _jsonl(tmp_path / "d.jsonl", [rec, rec])
    report = api.ingest([str(tmp_path / "d.jsonl")], store, settings)
    assert report.added == 1 and report.unchanged == 1
    assert store.count_articles() == 1


def test_duplicates_within_one_batch_link_to_first(tmp_path, store, settings):
    recs = [{"url": f"https://site{i}.example/x", "text": BODY} for i in range(3)]
    _jsonl(tmp_path / "e.jsonl", recs)
    report = api.ingest([str(tmp_path / "e.jsonl")], store, settings)
    assert report.added == 3 and report.near_duplicates == 2
    arts = sorted(store.iter_articles(), key=lambda a: a.url)
    assert arts[0].duplicate_of is None
    assert {a.duplicate_of for a in arts[1:]} == {arts[0].id}


def _copy_of_body(tmp_path, name, n):
    edited = BODY.replace("neutrality.", f"neutrality, officials said ({n}).")
    _jsonl(
        tmp_path / name, [{"url": f"https://copy{n}.example/x", "title": "Talks", "text": edited}]
    )
    return str(tmp_path / name)


def test_the_index_reads_no_signature_when_it_opens(tmp_path, store, settings, monkeypatch):
    """The band keys are in the store: opening the index reads none of the stored signatures,
    and a copy is still found (through the one original that shares a band with it)."""
    _jsonl(tmp_path / "a.jsonl", [{"url": "https://wire.example/a", "text": BODY}])
    api.ingest([str(tmp_path / "a.jsonl")], store, settings, run_stages=False)

    def no_scan(*_a, **_k):
        raise AssertionError("the index read every stored signature")

    monkeypatch.setattr(type(store), "iter_minhashes", no_scan)
    report = api.ingest([_copy_of_body(tmp_path, "b.jsonl", 1)], store, settings, run_stages=False)
    assert report.near_duplicates == 1


def test_a_store_without_band_keys_gets_them_once(tmp_path, store, settings):
    """A store from before the band keys were kept (or made for another threshold): opening
    the index makes them from the stored signatures, and copies are found as before."""
    _jsonl(tmp_path / "a.jsonl", [{"url": "https://wire.example/a", "text": BODY}])
    api.ingest([str(tmp_path / "a.jsonl")], store, settings, run_stages=False)
    with store.begin() as conn:
        conn.execute(article_lsh.delete())
        conn.execute(lsh_params.delete())
    report = api.ingest([_copy_of_body(tmp_path, "b.jsonl", 1)], store, settings, run_stages=False)
    assert report.near_duplicates == 1
    with store.connect() as conn:
        bands, rows = store.lsh_banding(conn)
        assert bands * rows <= NUM_PERM
        assert conn.scalar(select(func.count()).select_from(article_lsh)) == 2 * bands
    looser = replace(settings, near_duplicate_threshold=0.5)
    report = api.ingest([_copy_of_body(tmp_path, "c.jsonl", 2)], store, looser, run_stages=False)
    assert report.near_duplicates == 1
    with store.connect() as conn:
        assert store.lsh_banding(conn) != (bands, rows)  # remade for the other threshold
        assert conn.scalar(select(func.count(func.distinct(article_lsh.c.article_id)))) == 3
