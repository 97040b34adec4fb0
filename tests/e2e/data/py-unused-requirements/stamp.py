"""Stamps a line: proof that the package loads."""
from itsdangerous import Signer

print(Signer("not-a-secret").sign(b"delivered").decode())
