"""Complaints and tips: intake, routing, department desk, deadlines, Open311."""
