"""The read side: what readers see of articles, summaries, stories, threads, quotes and people.

Views read the store and the stages' tables; no stage, and nothing in ingest, imports a view.
"""
