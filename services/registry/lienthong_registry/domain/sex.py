"""Enumerations of the citizen record, numbered as in the v1 contract."""

from __future__ import annotations

from enum import IntEnum


class Sex(IntEnum):
    UNSPECIFIED = 0
    MALE = 1
    FEMALE = 2


class LifeStatus(IntEnum):
    UNSPECIFIED = 0
    ALIVE = 1
    DECEASED = 2


class HouseholdRelation(IntEnum):
    UNSPECIFIED = 0
    HEAD = 1
    SPOUSE = 2
    CHILD = 3
    PARENT = 4
    GRANDCHILD = 5
    GRANDPARENT = 6
    SIBLING = 7
    CHILD_IN_LAW = 8
    OTHER_RELATIVE = 9
    NON_RELATIVE = 10
