#!/usr/bin/env bash
# Adds a migration to both provider sets (SQLite and PostgreSQL): every model change needs both.
# Usage: scripts/add-migration.sh NameOfChange
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh NameOfChange}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
dotnet ef migrations add "$name" --project src/Velvet.Api --context SqliteVelvetDb --output-dir Storage/Migrations/Sqlite
dotnet ef migrations add "$name" --project src/Velvet.Api --context PostgresVelvetDb --output-dir Storage/Migrations/Postgres
