"""The UI baseline: a minimal Textual app that opens the ledger with SQLAlchemy
and shows its first 100 claims in a DataTable (used by bench/ui_probe.py)."""

from sqlalchemy import create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Base(DeclarativeBase):
    pass


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str]
    source: Mapped[str | None]
    last_probability: Mapped[float | None]
    outcome: Mapped[str | None]


class Minimal(App):
    def __init__(self, db_path: str):
        super().__init__()
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        engine = create_engine(f"sqlite:///{self.db_path}")
        table = self.query_one(DataTable)
        table.add_columns("id", "statement", "source", "p", "outcome")
        with Session(engine) as session:
            claims = session.execute(select(Claim).order_by(Claim.id).limit(100)).scalars().all()
            table.add_rows([
                (c.id, c.statement, c.source or "", "" if c.last_probability is None else f"{c.last_probability:.0%}",
                 c.outcome or "open")
                for c in claims
            ])
