"""Co-audits (issue 16): an audit completed with a person supported or by a quality checker,
compared item by item with the staff audit it names, and the differences followed up."""
