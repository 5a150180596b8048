import pytest

# The shared helpers assert too: let pytest explain their failures as it does a test's own asserts.
pytest.register_assert_rewrite("tests.scenes")
