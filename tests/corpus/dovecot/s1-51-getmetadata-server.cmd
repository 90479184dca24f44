A0051 GETMETADATA "" /private/comment
