"""Teach a sign, fingerspelling practice and grading (Qt-free core)."""
