"""People's voice: conversations with the people a fair draw picked, on CQC's "I" statements."""
