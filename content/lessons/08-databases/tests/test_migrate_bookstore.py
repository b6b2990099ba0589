def test_upgrade_head_creates_the_bookstore_tables(example, tmp_path):
    url = f"sqlite:///{tmp_path / 'bookstore.db'}"
    state = example("migrate_bookstore").migrate(url)
    assert state["revision"] == state["head"]
    assert {"alembic_version", "books", "users"} <= set(state["tables"])


def test_downgrade_base_removes_them_again(example, tmp_path):
    module = example("migrate_bookstore")
    url = f"sqlite:///{tmp_path / 'bookstore.db'}"
    module.migrate(url)
    assert module.roll_back_everything(url) == ["alembic_version"]
