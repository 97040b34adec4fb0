module shaper

go 1.22
