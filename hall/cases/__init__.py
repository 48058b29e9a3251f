"""The case engine (工单): bad ratings, 办不成事, 帮办 and complaints, in working days."""
