import ingest.ahrefs as a
a._after = lambda key: {"field": "first_seen_link", "is": ["gt", key[0]]}
from tests.test_ahrefs import *  # noqa
