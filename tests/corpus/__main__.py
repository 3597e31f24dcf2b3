"""`python -m tests.corpus`: write the corpus originals to tests/fixtures/corpus/ again."""

from tests.corpus import CORPUS_DIR
from tests.corpus.originals import write

for path in write(CORPUS_DIR):
    print(path.relative_to(CORPUS_DIR))
