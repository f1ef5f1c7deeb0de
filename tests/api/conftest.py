import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """One test id per API operation: `test_api_anonymous[GET /api/v1/regions]`.

    pytest 9.2 builds a Function's id from `originalname` and its callspec, and schemathesis'
    items carry neither the operation (schemathesis 4.32), so every operation of a test got the
    same id: reports merged them and pytest-xdist ran one of each. Give each its own id again."""
    for item in items:
        if type(item).__name__ == "SchemathesisFunction" and item.nodeid != f"{item.parent.nodeid}::{item.name}":
            item._id = item.parent.id.child(item.name)
