"""The weekly digest: what goes in it (choose, pure) and where its candidates come from (gather)."""
