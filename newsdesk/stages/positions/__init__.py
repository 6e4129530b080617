"""Stage ``positions``: claims per article and the positions map (parties × issues).

``cues`` (stance cue lexicons), ``parties`` (party table + resolver), ``claims`` (claims in one
text), ``stance`` (the learned stance model), ``issues`` (grouping targets into issues),
``mapping`` (cells, classes, time), ``stage`` (the stage and its ``stance -``/``positions -``
filters), ``tables`` (the claims table).
"""

from newsdesk.stages.positions.stage import Positions, positions_map, stance_records

__all__ = ["Positions", "positions_map", "stance_records"]
