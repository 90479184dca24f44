A0040 GETMETADATA "" /private/comment
