"""Sample clickstream for the landing folder: Segment-spec events with the faults of a real feed.

``generate`` writes JSON-lines files (about 30% gzipped), ordered by ``receivedAt``, and returns a
``Manifest`` that states exactly what was written, so tests and end-to-end runs can check every
layer's counts (``lines == valid_events + duplicates + malformed + invalid``).

The users come from a fixed population seed, not from the event seed: a second run with another
seed into the same folder continues the same people (ids, emails, devices, IPs, plan and country
history). The event seed drives everything else, through one ``random.Random``: sessions, pages,
the e-commerce funnel and the injected faults (re-delivered duplicates, malformed lines, unknown
fields, late events, events that must be quarantined, events with no ``timestamp``).

The modules, in the order a run uses them: ``vocabulary`` (sizes, rates, word lists),
``population`` (users, catalogue), ``sessions`` (who is active when), ``visit`` (one session's
events), ``feed`` (arrival order, faults, counts), ``landing`` (the files), ``api`` (``generate``).
The same seed writes the same bytes: every random draw goes through the one ``Random``, in order.
"""

from clickstream_cli.sample_data.api import Manifest, generate, summary
from clickstream_cli.sample_data.vocabulary import POPULATION_EPOCH, POPULATION_SEED

__all__ = ["POPULATION_EPOCH", "POPULATION_SEED", "Manifest", "generate", "summary"]
