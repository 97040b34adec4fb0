#!/bin/sh
# prepares the signing key before the server starts
set -e
export SIGNER_SALT="${SIGNER_SALT:-board}"
exec "$@"
