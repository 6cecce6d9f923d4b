"""Infrastructure the tests and the benchmarks share (not shipped: the wheel lists its packages
and this is not one): a throwaway PostgreSQL cluster (`testing.pgcluster`), a free loopback port
and accounts with seeded demo data (`testing.support`)."""
