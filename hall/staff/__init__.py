"""Staff: accounts, passwords, roles and sign-in."""
