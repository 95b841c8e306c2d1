# Modes, hardlinks, an empty directory and old times: what git does not keep.
chmod 0600 a.txt
chmod 4755 tool
chmod 0750 dir/sub
ln dir/x dir/x-hard
mkdir empty
touch -d @1500000000 b.txt dir/sub/y
touch -h -d @1400000000 link
