# Archives with owners, modes, links and old times, in every compression ADD extracts.
mkdir -p tree/dir/sub
echo f > tree/dir/file; echo s > tree/dir/sub/deep; echo x > tree/setuid
chmod 4755 tree/setuid; chmod 0700 tree/dir/sub
ln -s file tree/dir/symlink; ln tree/dir/file tree/dir/hardlink
touch -h -d @1300000000 tree/dir/file tree/dir/symlink tree/dir tree/dir/sub tree/dir/sub/deep tree/setuid tree
tar --sort=name --owner=1000 --group=1000 --numeric-owner -C tree -cf archive.tar .
gzip -n -c archive.tar > archive.tar.gz
bzip2 -c archive.tar > archive.tar.bz2
xz -c archive.tar > archive.tar.xz
echo "not an archive" | gzip -n > plain.txt.gz
rm -rf tree
