# only a time changes: the COPY layers record it, so the cache must not give back the old ones
touch -d @1700000000 files/rw
