"""Test helpers shared by every app's tests (factories, role clients). Not used at run time."""
