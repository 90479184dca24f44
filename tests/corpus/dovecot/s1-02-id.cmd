A0002 ID ("name" "mailwire-corpus" "version" "1")
