# git keeps only 0644/0755: give the files the modes the case is about
chmod 0777 files
chmod 0664 files/rw
chmod 0775 files/x
chmod 4755 files/suid
chmod 2775 files/sgid-dir
chmod 0664 files/sgid-dir/f
chmod 1777 files/sticky
