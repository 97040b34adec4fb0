module pinger

go 1.22
