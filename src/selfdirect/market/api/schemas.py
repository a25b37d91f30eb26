"""Schemas and types more than one part of the market API uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from ninja import Field, Schema

from selfdirect.core.api_schema import Input, Reason, decimal

# Decimals as the models keep them (digits, places): the contract says exactly what is taken.
if TYPE_CHECKING:
    Units = Decimal
    Posts = Decimal
    WeeklyUnits = Decimal
else:
    Units = decimal(10, 2, ge=0)
    Posts = decimal(6, 2, ge=0)
    WeeklyUnits = decimal(8, 2, ge=0)


class RatingIn(Input):
    stars: int = Field(..., ge=1, le=5)
    rated_on: dt.date
    basis: str = ""
    published: bool = True
    reason: Reason = "Rating published"


class RatingOut(Schema):
    id: int
    stars: int
    rated_on: dt.date
    basis: str
    published: bool
