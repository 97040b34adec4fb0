module notifier

go 1.22
