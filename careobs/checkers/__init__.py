"""Quality checkers (experts by experience): what a manager assigns them, and their pages."""
