"""What the tests share, imported as a library: builders of documents and data, clients, and
readers of pages, exports and PDFs. Fixtures stay in the conftest.py files (and
:mod:`tests.support.fixtures`), which import from here; test modules import from here too,
never from a conftest."""
